//! Loss and accuracy, summed on the device and read back once per report.

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use super::TrainError;

/// Mean cross-entropy loss and accuracy over `count` images.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    #[serde(with = "crate::nonfinite")]
    pub loss: f64,
    #[serde(with = "crate::nonfinite")]
    pub accuracy: f64,
    pub count: usize,
}

/// Running sums of loss and correct predictions, kept as device tensors so that no step waits
/// for the device; [`MetricSums::read`] reads both back in one transfer.
#[derive(Debug, Default, Clone)]
pub struct MetricSums {
    sums: Option<Tensor<1>>, // [loss_sum, correct]
    count: usize,
}

impl MetricSums {
    /// Adds one batch: its logits `[batch, 10]`, targets `[batch]` and mean loss `[1]`.
    /// Tensors may carry autodiff; the sums never do.
    pub fn add(&mut self, logits: Tensor<2>, targets: Tensor<1, Int>, mean_loss: Tensor<1>) {
        let batch = targets.dims()[0];
        let logits = logits.without_autodiff();
        let predicted: Tensor<1, Int> = logits.argmax(1).flatten(0, 1); // [batch]
        let correct = predicted
            .equal(targets.without_autodiff())
            .int()
            .sum()
            .float(); // [1]
        let loss_sum = mean_loss.without_autodiff().detach() * batch as f32; // [1]
        let batch_sums = Tensor::cat(vec![loss_sum, correct], 0); // [2]
        self.sums = Some(match self.sums.take() {
            Some(sums) => sums + batch_sums,
            None => batch_sums,
        });
        self.count += batch;
    }

    /// Reads the sums back (asynchronously: a synchronous read panics in the browser).
    pub async fn read(&self) -> Result<Metrics, TrainError> {
        let Some(sums) = &self.sums else {
            return Ok(Metrics {
                loss: f64::NAN,
                accuracy: f64::NAN,
                count: 0,
            });
        };
        let data = sums
            .to_data_async()
            .await
            .map_err(|e| TrainError::Device(format!("{e:?}")))?;
        let values = data
            .try_to_vec::<f32>()
            .map_err(|e| TrainError::Device(format!("{e:?}")))?;
        let count = self.count as f64;
        Ok(Metrics {
            loss: f64::from(values[0]) / count,
            accuracy: f64::from(values[1]) / count,
            count: self.count,
        })
    }
}
