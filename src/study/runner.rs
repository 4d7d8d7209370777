//! Runs one configuration of the study, and retrains the top one for the test: the same code
//! drives the page (on WebGPU or the CPU fallback) and the command-line runner.

use std::future::Future;
use std::ops::ControlFlow;

use burn::module::Module;
use burn::prelude::*;
use serde::{Deserialize, Serialize};
use web_time::Instant;

use super::configs::StudyModel;
use super::early_stopping::EarlyStopping;
use super::results::{Mistake, RunResult, RunStatus, TestResult};
use crate::data::batch::make_batch;
use crate::data::fashion_mnist::FashionMnist;
use crate::data::idx::NUM_CLASSES;
use crate::data::split::{DEFAULT_SEED, Split, split_70_15_15};
use crate::model::Cnn;
use crate::train::{Metrics, TrainConfig, TrainError, TrainEvent, Trainer};

/// Misclassified test images kept for the gallery.
pub const MISTAKES_KEPT: usize = 48;

/// What every configuration shares, and how much of the data a run uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudyProtocol {
    pub seed: u64,
    pub batch_size: usize,
    #[serde(with = "crate::nonfinite")]
    pub learning_rate: f64,
    /// Use only the first N images of each part (`None`: all of it).
    pub train_images: Option<usize>,
    pub validation_images: Option<usize>,
    pub test_images: Option<usize>,
    /// Cap on every configuration's epochs (for quick runs).
    pub max_epochs: Option<usize>,
    /// Read running metrics back every this many steps.
    pub report_every: usize,
}

impl Default for StudyProtocol {
    /// The original study: seed 42 split, batch 128, Adam 1e-3, all the data.
    fn default() -> Self {
        Self {
            seed: DEFAULT_SEED,
            batch_size: 128,
            learning_rate: 1e-3,
            train_images: None,
            validation_images: None,
            test_images: None,
            max_epochs: None,
            report_every: 20,
        }
    }
}

impl StudyProtocol {
    /// The seeded 70/15/15 split of `len` images, cut to this protocol's sizes.
    pub fn split(&self, len: usize) -> Split {
        let mut split = split_70_15_15(len, self.seed);
        let cut = |part: &mut Vec<u32>, limit: Option<usize>| {
            if let Some(n) = limit {
                part.truncate(n.max(1));
            }
        };
        cut(&mut split.train, self.train_images);
        cut(&mut split.validation, self.validation_images);
        cut(&mut split.test, self.test_images);
        split
    }

    /// The training settings of `model` under this protocol.
    pub fn train_config(&self, model: &StudyModel) -> TrainConfig {
        let base = TrainConfig {
            batch_size: self.batch_size,
            learning_rate: self.learning_rate,
            seed: self.seed,
            report_every: self.report_every,
            ..TrainConfig::default()
        };
        let mut config = model.train_config(&base);
        if let Some(cap) = self.max_epochs {
            config.epochs = config.epochs.min(cap.max(1));
        }
        config
    }
}

/// Trains `model` on `split.train`, validating on `split.validation` after every epoch, with
/// early stopping when the configuration has it. Never fails: a run that ends in an error or
/// is cancelled (`on_event` returned `Break`) is reported with its finished epochs. The kept
/// model (last or best epoch) comes with it when at least one epoch finished.
#[allow(clippy::too_many_arguments)]
pub async fn train_configuration<Y, F>(
    model: &StudyModel,
    data: &FashionMnist,
    split: &Split,
    protocol: &StudyProtocol,
    device: &Device,
    backend: &str,
    yield_now: Y,
    mut on_event: impl FnMut(&TrainEvent) -> ControlFlow<()>,
) -> (RunResult, Option<Cnn>)
where
    Y: Fn() -> F,
    F: Future<Output = ()>,
{
    let config = protocol.train_config(model);
    let started = Instant::now();
    let mut trainer = Trainer::new(
        &model.architecture,
        config.learning_rate,
        config.seed,
        device,
    );
    let parameters = trainer.model().num_params();
    let mut early = model.early_stopping_patience.map(EarlyStopping::new);
    let mut records = Vec::new();
    let mut last_model = None;
    let mut cancelled = false;
    let outcome = trainer
        .run(
            data,
            &split.train,
            &split.validation,
            &config,
            yield_now,
            |event| {
                let flow = on_event(&event);
                if flow.is_break() {
                    cancelled = true;
                    return flow;
                }
                if let TrainEvent::Epoch { record, model } = event {
                    let loss = record.validation.loss;
                    let epoch = record.epoch;
                    records.push(record);
                    last_model = Some(model.clone());
                    if let Some(early) = early.as_mut() {
                        return early.observe(epoch, loss, || model);
                    }
                }
                ControlFlow::Continue(())
            },
        )
        .await;
    let status = match outcome {
        Err(error) => RunStatus::Failed(error.to_string()),
        Ok(_) if cancelled => RunStatus::Cancelled,
        Ok(_) => RunStatus::Finished,
    };
    let stopped_early_at = early.as_ref().and_then(EarlyStopping::stopped_at);
    let (kept_epoch, kept_model) = match early.and_then(|e| e.best_epoch().map(|(b, _)| (b, e))) {
        Some((best, early)) => (best, early.into_best_model()),
        None => (records.len(), last_model),
    };
    let validation = records
        .iter()
        .find(|r| r.epoch == kept_epoch)
        .map(|r| r.validation);
    let best_validation_accuracy = records
        .iter()
        .map(|r| r.validation.accuracy)
        .max_by(f64::total_cmp);
    let result = RunResult {
        model: model.clone(),
        parameters,
        status,
        epochs: records,
        kept_epoch,
        stopped_early_at,
        seconds: started.elapsed().as_secs_f64(),
        validation,
        best_validation_accuracy,
        test: None,
        train_images: split.train.len(),
        validation_images: split.validation.len(),
        backend: backend.to_string(),
    };
    (result, kept_model)
}

/// Retrains configuration `run.model` from scratch on training + validation for the epochs
/// its study run kept (early stopping's best epoch, else all), then scores it on the test set.
#[allow(clippy::too_many_arguments)]
pub async fn retrain_and_test<Y, F>(
    run: &RunResult,
    data: &FashionMnist,
    split: &Split,
    protocol: &StudyProtocol,
    device: &Device,
    backend: &str,
    yield_now: Y,
    mut on_event: impl FnMut(&TrainEvent) -> ControlFlow<()>,
) -> Result<Option<(TestResult, Cnn)>, TrainError>
where
    Y: Fn() -> F,
    F: Future<Output = ()>,
{
    let started = Instant::now();
    let mut config = protocol.train_config(&run.model);
    config.epochs = run.kept_epoch.max(1);
    let train = split.train_and_validation();
    let mut trainer = Trainer::new(
        &run.model.architecture,
        config.learning_rate,
        config.seed,
        device,
    );
    // No held-out set while retraining: the validation images are training images now.
    let report = trainer
        .run(data, &train, &[], &config, &yield_now, |event| {
            on_event(&event)
        })
        .await?;
    if report.stopped {
        return Ok(None);
    }
    let model = trainer.model();
    let scored = test_model(&model, data, &split.test, config.batch_size, &yield_now).await?;
    let result = TestResult {
        model_id: run.model.id,
        epochs: config.epochs,
        train_images: train.len(),
        seconds: started.elapsed().as_secs_f64(),
        test: scored.metrics,
        confusion: scored.confusion,
        mistakes: scored.mistakes,
        backend: backend.to_string(),
    };
    Ok(Some((result, model)))
}

/// A model's score on a set of images, with the detail the test view shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub metrics: Metrics,
    /// `confusion[truth][predicted]`.
    pub confusion: [[u32; NUM_CLASSES]; NUM_CLASSES],
    /// The [`MISTAKES_KEPT`] most confident mistakes.
    pub mistakes: Vec<Mistake>,
}

/// Scores `model` on the images at `indices`: mean cross-entropy, accuracy, confusion matrix
/// and the most confident mistakes.
pub async fn test_model<Y, F>(
    model: &Cnn,
    data: &FashionMnist,
    indices: &[u32],
    batch_size: usize,
    yield_now: &Y,
) -> Result<Scored, TrainError>
where
    Y: Fn() -> F,
    F: Future<Output = ()>,
{
    let Some(device) = model.devices().into_iter().next() else {
        return Err(TrainError::Device("the model has no device".into()));
    };
    let mut confusion = [[0u32; NUM_CLASSES]; NUM_CLASSES];
    let mut mistakes = Vec::new();
    let mut loss_sum = 0.0;
    let mut correct = 0usize;
    for chunk in indices.chunks(batch_size.max(1)) {
        let batch = make_batch(data, chunk, &device);
        let probabilities = model
            .probabilities(batch.images)
            .into_data_async()
            .await
            .map_err(|e| TrainError::Device(format!("{e:?}")))?
            .try_to_vec::<f32>()
            .map_err(|e| TrainError::Device(format!("{e:?}")))?;
        for (&index, row) in chunk.iter().zip(probabilities.chunks(NUM_CLASSES)) {
            let truth = data.label(index as usize);
            let (predicted, confidence) = row
                .iter()
                .copied()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .unwrap_or((0, 0.0));
            loss_sum -= f64::from(row[usize::from(truth)].max(1e-7)).ln();
            confusion[usize::from(truth)][predicted] += 1;
            if predicted == usize::from(truth) {
                correct += 1;
            } else {
                mistakes.push(Mistake {
                    index,
                    truth,
                    predicted: predicted as u8,
                    confidence,
                });
            }
        }
        yield_now().await;
    }
    mistakes.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
    mistakes.truncate(MISTAKES_KEPT);
    let count = indices.len();
    Ok(Scored {
        metrics: Metrics {
            loss: loss_sum / count.max(1) as f64,
            accuracy: correct as f64 / count.max(1) as f64,
            count,
        },
        confusion,
        mistakes,
    })
}
