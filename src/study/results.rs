//! What a study produced, as it is stored in the browser and exported: every run's per-epoch
//! numbers, the top model's test score, and how it was all made.

use serde::{Deserialize, Serialize};

use super::configs::StudyModel;
use crate::data::idx::NUM_CLASSES;
use crate::train::{EpochRecord, Metrics};

/// Version of the results JSON layout.
pub const RESULTS_FORMAT: u32 = 1;

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RunStatus {
    /// Training now (a stored run in this state was interrupted by a reload).
    Running,
    Finished,
    /// Stopped by the person; its finished epochs are kept.
    Cancelled,
    /// Stopped by an error (a NaN loss, a lost device), with the message.
    Failed(String),
}

/// One configuration's training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    pub model: StudyModel,
    pub parameters: usize,
    pub status: RunStatus,
    pub epochs: Vec<EpochRecord>,
    /// The epoch whose weights were kept (the last, or the best with early stopping).
    pub kept_epoch: usize,
    /// Set when early stopping ended the run before its last epoch.
    pub stopped_early_at: Option<usize>,
    /// Wall time of the whole run, validation passes included.
    pub seconds: f64,
    /// Validation metrics of the kept weights.
    pub validation: Option<Metrics>,
    /// The highest validation accuracy of any epoch.
    pub best_validation_accuracy: Option<f64>,
    /// Test metrics, for runs scored on the test set directly (the ninth configuration).
    pub test: Option<Metrics>,
    pub train_images: usize,
    pub validation_images: usize,
    pub backend: String,
}

impl RunResult {
    pub fn epochs_run(&self) -> usize {
        self.epochs.len()
    }

    pub fn is_finished(&self) -> bool {
        self.status == RunStatus::Finished
    }

    /// The status in words.
    pub fn status_label(&self) -> String {
        match &self.status {
            RunStatus::Running => "running".into(),
            RunStatus::Finished => match self.stopped_early_at {
                Some(at) => format!("stopped early at epoch {at}"),
                None => "finished".into(),
            },
            RunStatus::Cancelled => format!("cancelled after {} epoch(s)", self.epochs.len()),
            RunStatus::Failed(message) => format!("failed: {message}"),
        }
    }
}

/// A misclassified test image.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Mistake {
    /// Index into the pooled data set.
    pub index: u32,
    pub truth: u8,
    pub predicted: u8,
    /// Probability the model gave its (wrong) prediction.
    pub confidence: f32,
}

/// The top model retrained on training + validation and scored on the test set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    /// The configuration retrained.
    pub model_id: usize,
    pub epochs: usize,
    pub train_images: usize,
    pub seconds: f64,
    pub test: Metrics,
    /// `confusion[truth][predicted]` counts.
    pub confusion: [[u32; NUM_CLASSES]; NUM_CLASSES],
    /// The first misclassified test images, most confident first.
    pub mistakes: Vec<Mistake>,
    pub backend: String,
}

impl TestResult {
    /// Accuracy per true class (NaN for a class with no test images).
    pub fn per_class_accuracy(&self) -> [f64; NUM_CLASSES] {
        std::array::from_fn(|c| {
            let total: u32 = self.confusion[c].iter().sum();
            f64::from(self.confusion[c][c]) / f64::from(total)
        })
    }
}

/// A whole study: the shared protocol, every run so far, and the test of the top model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudyResults {
    pub format: u32,
    pub app_version: String,
    pub burn_version: String,
    pub seed: u64,
    pub batch_size: usize,
    pub learning_rate: f64,
    /// When the study started, milliseconds since the Unix epoch.
    pub started_ms: f64,
    pub runs: Vec<RunResult>,
    pub top: Option<TestResult>,
    /// Pixels were scaled to [0, 1]; the original study fed raw 0-255 values.
    pub pixel_scaling: String,
}

impl StudyResults {
    pub fn new(seed: u64, batch_size: usize, learning_rate: f64, started_ms: f64) -> Self {
        Self {
            format: RESULTS_FORMAT,
            app_version: env!("CARGO_PKG_VERSION").into(),
            burn_version: "0.22.1".into(),
            seed,
            batch_size,
            learning_rate,
            started_ms,
            runs: Vec::new(),
            top: None,
            pixel_scaling: "pixels / 255 in [0, 1] (the original study fed raw 0-255)".into(),
        }
    }

    /// Adds `run`, replacing an earlier run of the same configuration.
    pub fn record(&mut self, run: RunResult) {
        self.runs.retain(|r| r.model.id != run.model.id);
        self.runs.push(run);
        self.runs.sort_by_key(|r| r.model.id);
    }

    /// Runs stored while training that were never finished (the page was closed or
    /// reloaded): they become cancelled, keeping their finished epochs.
    pub fn mark_interrupted(&mut self) {
        for run in &mut self.runs {
            if run.status == RunStatus::Running {
                run.status = RunStatus::Failed(format!(
                    "interrupted after {} epoch(s) (the page was closed or reloaded)",
                    run.epochs.len()
                ));
            }
        }
    }

    /// The finished run of the original study with the highest validation accuracy (of its
    /// kept weights): the one retrained and scored on test.
    pub fn best_run(&self) -> Option<&RunResult> {
        self.runs
            .iter()
            .filter(|r| r.is_finished() && r.model.from_original_study())
            .filter_map(|r| r.validation.map(|v| (r, v.accuracy)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(r, _)| r)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    pub fn from_json(text: &str) -> Result<Self, String> {
        let results: Self =
            serde_json::from_str(text).map_err(|e| format!("not a Fashion Lab study: {e}"))?;
        if results.format != RESULTS_FORMAT {
            return Err(format!(
                "study results format {} (this version reads {RESULTS_FORMAT})",
                results.format
            ));
        }
        Ok(results)
    }

    /// Every per-epoch number, one row per run and epoch, with the run's configuration.
    pub fn to_csv(&self) -> String {
        let mut csv = String::from(
            "model,conv_layers,regularization,parameters,status,epoch,train_loss,train_accuracy,validation_loss,validation_accuracy,epoch_seconds,train_images,validation_images,seed,batch_size,learning_rate,backend\n",
        );
        for run in &self.runs {
            let status = run.status_label();
            for e in &run.epochs {
                csv.push_str(&format!(
                    "{},{},{},{},{},{},{:.6},{:.6},{:.6},{:.6},{:.3},{},{},{},{},{},{}\n",
                    run.model.id,
                    run.model.conv_layers(),
                    csv_field(run.model.regularization.label()),
                    run.parameters,
                    csv_field(&status),
                    e.epoch,
                    e.train.loss,
                    e.train.accuracy,
                    e.validation.loss,
                    e.validation.accuracy,
                    e.seconds,
                    run.train_images,
                    run.validation_images,
                    self.seed,
                    self.batch_size,
                    self.learning_rate,
                    csv_field(&run.backend),
                ));
            }
        }
        csv
    }
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}
