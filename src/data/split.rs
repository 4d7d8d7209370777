//! The seeded 70/15/15 split of the pooled data set into training, validation and test.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// The seed every view and the command-line runner use unless told otherwise.
pub const DEFAULT_SEED: u64 = 42;

/// Indices into the pooled data set, one list per part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Split {
    pub train: Vec<u32>,
    pub validation: Vec<u32>,
    pub test: Vec<u32>,
}

impl Split {
    /// Training and validation together, for retraining the chosen model before the test.
    pub fn train_and_validation(&self) -> Vec<u32> {
        [self.train.as_slice(), self.validation.as_slice()].concat()
    }
}

/// Shuffles `0..len` with `seed` and cuts it 70% / 15% / 15% (70,000 -> 49,000 / 10,500 / 10,500).
pub fn split_70_15_15(len: usize, seed: u64) -> Split {
    let mut indices: Vec<u32> = (0..len as u32).collect();
    indices.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let train_len = len * 70 / 100;
    let validation_len = len * 15 / 100;
    let test = indices.split_off(train_len + validation_len);
    let validation = indices.split_off(train_len);
    Split {
        train: indices,
        validation,
        test,
    }
}

/// The order of one epoch: `indices` shuffled by a generator derived from `seed` and `epoch`,
/// cut into batches of `batch_size` (the last one may be smaller).
pub fn epoch_batches(indices: &[u32], batch_size: usize, seed: u64, epoch: usize) -> Vec<Vec<u32>> {
    let mut order = indices.to_vec();
    let epoch_seed = seed ^ (epoch as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(epoch_seed));
    order
        .chunks(batch_size.max(1))
        .map(<[u32]>::to_vec)
        .collect()
}
