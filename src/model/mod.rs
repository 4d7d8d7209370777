//! Model: the CNN architectures the lab trains.

pub mod cnn;

pub use cnn::{Cnn, CnnConfig};
