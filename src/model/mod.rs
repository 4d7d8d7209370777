//! Model: the CNN architectures the lab trains.

pub mod cnn;
pub mod saved;

pub use cnn::{Cnn, CnnConfig};
