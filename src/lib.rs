//! Fashion Lab: a CNN lab for Fashion-MNIST.
//!
//! The core (everything but [`web`]) is backend-agnostic and has no DOM code: it takes a burn
//! [`Device`](burn::tensor::Device) and runs natively on the CPU backend in tests and in the
//! command-line runner, and in the browser on WebGPU or the CPU fallback.
//!
//! - [`data`]: IDX reader, the pooled data set, the seeded 70/15/15 split, batches.
//! - [`model`]: the CNN architectures.
//! - [`train`]: the training loop and its metrics; [`job`]: a training job as data, for a worker.
//! - [`preprocess`]: a drawing or photo to a 28x28 input; [`inference`]: its class probabilities.
//! - [`visualize`]: filters and feature maps as normalized, colour-mapped pixels.
//! - `web` (wasm only): the Leptos page, which only calls the core and paints.

pub mod data;
pub mod inference;
pub mod job;
pub mod model;
pub mod nonfinite;
pub mod preprocess;
pub mod study;
pub mod train;
pub mod visualize;

#[cfg(target_arch = "wasm32")]
pub mod web;
