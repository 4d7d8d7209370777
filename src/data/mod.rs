//! Data: the IDX reader, the pooled Fashion-MNIST set, the seeded split and batching.

pub mod batch;
pub mod download_fault;
pub mod fashion_mnist;
pub mod idx;
pub mod split;
