//! Turns images kept as bytes into tensors, one batch at a time.

use burn::prelude::*;
use burn::tensor::TensorData;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::fashion_mnist::FashionMnist;
use super::idx::{IMAGE_PIXELS, IMAGE_SIDE};

/// Images `[batch, 1, 28, 28]` scaled to `[0, 1]`, and their classes `[batch]`.
#[derive(Debug, Clone)]
pub struct Batch {
    pub images: Tensor<4>,
    pub targets: Tensor<1, Int>,
}

/// Uploads the images and labels at `indices` to `device`.
pub fn make_batch(data: &FashionMnist, indices: &[u32], device: &Device) -> Batch {
    make_batch_with(data, indices, device, None)
}

/// Like [`make_batch`], with each image randomly shifted by up to [`MAX_SHIFT`] pixels each way
/// (the uncovered border is background, 0), drawn from a generator seeded with `seed`. Not
/// mirrored: every shoe in Fashion-MNIST points left, and a mirrored one is a picture the test
/// set never shows (measured: with mirroring the ninth configuration reached 93.1% validation
/// accuracy). Done on the host bytes, so it costs nothing on the device.
pub fn make_augmented_batch(
    data: &FashionMnist,
    indices: &[u32],
    device: &Device,
    seed: u64,
) -> Batch {
    make_batch_with(data, indices, device, Some(seed))
}

/// The largest shift, in pixels, of [`make_augmented_batch`].
pub const MAX_SHIFT: i32 = 1;

fn make_batch_with(
    data: &FashionMnist,
    indices: &[u32],
    device: &Device,
    augment_seed: Option<u64>,
) -> Batch {
    let mut rng = augment_seed.map(ChaCha8Rng::seed_from_u64);
    let mut pixels = Vec::with_capacity(indices.len() * IMAGE_PIXELS);
    let mut labels = Vec::with_capacity(indices.len());
    for &i in indices {
        let image = data.image(i as usize);
        match rng.as_mut() {
            None => pixels.extend(image.iter().map(|&p| f32::from(p) / 255.0)),
            Some(rng) => {
                let dx = rng.random_range(-MAX_SHIFT..=MAX_SHIFT);
                let dy = rng.random_range(-MAX_SHIFT..=MAX_SHIFT);
                pixels.extend(transformed(image, dx, dy));
            }
        }
        labels.push(i64::from(data.label(i as usize)));
    }
    Batch {
        images: images_tensor(pixels, indices.len(), device),
        targets: Tensor::from_data(TensorData::new(labels, [indices.len()]), device),
    }
}

/// One image of 784 bytes (Fashion-MNIST polarity) as a `[1, 1, 28, 28]` tensor in `[0, 1]`.
pub fn image_tensor(image: &[u8], device: &Device) -> Tensor<4> {
    let pixels = image.iter().map(|&p| f32::from(p) / 255.0).collect();
    images_tensor(pixels, 1, device)
}

fn images_tensor(pixels: Vec<f32>, count: usize, device: &Device) -> Tensor<4> {
    Tensor::from_data(
        TensorData::new(pixels, [count, 1, IMAGE_SIDE, IMAGE_SIDE]),
        device,
    )
}

/// `image` moved `dx` right and `dy` down, scaled to `[0, 1]`.
pub fn transformed(image: &[u8], dx: i32, dy: i32) -> impl Iterator<Item = f32> + '_ {
    let side = IMAGE_SIDE as i32;
    (0..side * side).map(move |p| {
        let (y, x) = (p / side - dy, p % side - dx);
        if !(0..side).contains(&y) || !(0..side).contains(&x) {
            return 0.0;
        }
        f32::from(image[(y * side + x) as usize]) / 255.0
    })
}
