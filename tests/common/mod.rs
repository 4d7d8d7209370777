//! Shared by the tests that need the real Fashion-MNIST files.

use fashion_lab::data::fashion_mnist::FashionMnist;

/// Loads the real data set from `$FASHION_MNIST_DIR`, `data/` (filled by
/// `scripts/fetch-data.sh`) or Debian's `/usr/share/datasets/fashion-mnist`.
pub fn real_data() -> FashionMnist {
    let candidates = [
        std::env::var("FASHION_MNIST_DIR").ok(),
        Some(format!("{}/data", env!("CARGO_MANIFEST_DIR"))),
        Some("/usr/share/datasets/fashion-mnist".to_string()),
    ];
    let dir = candidates
        .into_iter()
        .flatten()
        .find(|dir| {
            std::path::Path::new(dir)
                .join("train-images-idx3-ubyte.gz")
                .exists()
        })
        .expect("the real Fashion-MNIST files are missing: run scripts/fetch-data.sh");
    FashionMnist::load_dir(std::path::Path::new(&dir)).expect("the real data set loads")
}
