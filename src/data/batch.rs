//! Turns images kept as bytes into tensors, one batch at a time.

use burn::prelude::*;
use burn::tensor::TensorData;

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
    let mut pixels = Vec::with_capacity(indices.len() * IMAGE_PIXELS);
    let mut labels = Vec::with_capacity(indices.len());
    for &i in indices {
        pixels.extend(data.image(i as usize).iter().map(|&p| f32::from(p) / 255.0));
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
