//! Training: the Adam loop over seeded epochs, and the metrics it reports.

pub mod metrics;
pub mod trainer;

pub use metrics::{MetricSums, Metrics};
pub use trainer::{
    EpochRecord, Losses, LrSchedule, TrainConfig, TrainEvent, TrainReport, Trainer, evaluate,
};

/// Why a training run ended without a result.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum TrainError {
    #[error("the loss became NaN or infinite in epoch {epoch}; try a smaller learning rate")]
    NonFiniteLoss { epoch: usize },
    #[error("the compute device failed: {0}")]
    Device(String),
}
