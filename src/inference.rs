//! Classifying one prepared 28x28 input.

use thiserror::Error;

use crate::data::batch::image_tensor;
use crate::data::idx::IMAGE_PIXELS;
use crate::model::Cnn;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum InferenceError {
    #[error("the input has {0} pixels; a model input has 784")]
    WrongSize(usize),
    #[error("the model has no device")]
    NoDevice,
    #[error("the compute device failed: {0}")]
    Device(String),
}

/// The 10 class probabilities for `input` (784 bytes, light garment on black). Reads the result
/// back asynchronously, as the browser requires.
pub async fn class_probabilities(model: &Cnn, input: &[u8]) -> Result<Vec<f32>, InferenceError> {
    use burn::module::Module;
    if input.len() != IMAGE_PIXELS {
        return Err(InferenceError::WrongSize(input.len()));
    }
    let device = model
        .devices()
        .into_iter()
        .next()
        .ok_or(InferenceError::NoDevice)?;
    model
        .probabilities(image_tensor(input, &device))
        .into_data_async()
        .await
        .map_err(|e| InferenceError::Device(format!("{e:?}")))?
        .try_to_vec::<f32>()
        .map_err(|e| InferenceError::Device(format!("{e:?}")))
}
