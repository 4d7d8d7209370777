//! One training run: the model, its Adam optimizer, and the epoch loop that the page and the
//! command line both drive.

use std::future::Future;
use std::ops::ControlFlow;

use burn::module::Module;
use burn::nn::loss::CrossEntropyLoss;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use serde::{Deserialize, Serialize};
use web_time::Instant;

use super::TrainError;
use super::metrics::{MetricSums, Metrics};
use crate::data::batch::{Batch, make_augmented_batch, make_batch};
use crate::data::fashion_mnist::FashionMnist;
use crate::data::split::epoch_batches;
use crate::model::{Cnn, CnnConfig};

/// How a run trains: the study's protocol by default (Adam 1e-3, batch 128, 10 epochs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    pub epochs: usize,
    pub batch_size: usize,
    #[serde(with = "crate::nonfinite")]
    pub learning_rate: f64,
    /// Seeds the weights and the order of every epoch.
    pub seed: u64,
    /// Read running metrics back every this many steps (reads make the device wait).
    pub report_every: usize,
    /// Hand a copy of the model to the driver every this many steps (for live pictures of
    /// what it learns); `None` for never.
    pub snapshot_every: Option<usize>,
    /// Random small shifts of the training images (see
    /// [`make_augmented_batch`]).
    #[serde(default)]
    pub augment: bool,
    #[serde(default)]
    pub schedule: LrSchedule,
}

/// How the learning rate changes over a run.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub enum LrSchedule {
    /// `learning_rate` throughout (the original study).
    #[default]
    Constant,
    /// Half a cosine from `learning_rate` down to `learning_rate * floor` at the last step.
    Cosine { floor: f64 },
}

impl LrSchedule {
    /// The rate for step `step` (0-based) of `total` steps.
    pub fn rate(self, base: f64, step: usize, total: usize) -> f64 {
        match self {
            Self::Constant => base,
            Self::Cosine { floor } => {
                let progress = step as f64 / total.saturating_sub(1).max(1) as f64;
                let cosine = 0.5 * (1.0 + (std::f64::consts::PI * progress.min(1.0)).cos());
                base * (floor + (1.0 - floor) * cosine)
            }
        }
    }
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            epochs: 10,
            batch_size: 128,
            learning_rate: 1e-3,
            seed: crate::data::split::DEFAULT_SEED,
            report_every: 20,
            snapshot_every: None,
            augment: false,
            schedule: LrSchedule::Constant,
        }
    }
}

/// What a finished epoch measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// 1-based.
    pub epoch: usize,
    pub train: Metrics,
    pub validation: Metrics,
    /// Wall time of the epoch's training steps alone, and with the validation pass.
    pub train_seconds: f64,
    pub seconds: f64,
}

impl EpochRecord {
    /// Training throughput of the epoch.
    pub fn images_per_second(&self) -> f64 {
        self.train.count as f64 / self.train_seconds.max(1e-9)
    }
}

/// What the loop tells its driver while it runs.
#[derive(Debug, Clone)]
pub enum TrainEvent {
    /// A step finished; `running` holds the epoch's metrics so far when they were read back.
    Step {
        epoch: usize,
        step: usize,
        steps: usize,
        running: Option<Metrics>,
    },
    /// An epoch finished; `model` is the model after it (inference mode).
    Epoch { record: EpochRecord, model: Cnn },
    /// The model as it is now (inference mode), every `snapshot_every` steps.
    Snapshot(Cnn),
}

/// The result of a run: one record per epoch that finished, and whether it was stopped early.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainReport {
    pub epochs: Vec<EpochRecord>,
    pub stopped: bool,
    pub seconds: f64,
}

impl TrainReport {
    /// Validation metrics after the last finished epoch.
    pub fn final_validation(&self) -> Option<Metrics> {
        self.epochs.last().map(|e| e.validation)
    }
}

/// What [`Trainer::losses`] computes for one batch.
pub struct Losses {
    pub logits: Tensor<2>,
    pub data_loss: Tensor<1>,
    pub objective: Tensor<1>,
}

/// The model being trained and its optimizer state.
pub struct Trainer {
    model: Cnn,
    optimizer: ModuleOptimizer,
    loss: CrossEntropyLoss,
    hidden_l2: f64,
    learning_rate: f64,
    device: Device,
}

impl Trainer {
    /// A fresh model of shape `model`, initialised with `seed`, trained on `device` (autodiff is
    /// enabled here).
    pub fn new(model: &CnnConfig, learning_rate: f64, seed: u64, device: &Device) -> Self {
        let device = device.clone().autodiff();
        device.seed(seed);
        Self {
            model: model.init(&device),
            optimizer: AdamConfig::new().init(),
            loss: CrossEntropyLoss::new(None, &device),
            hidden_l2: model.hidden_l2,
            learning_rate,
            device,
        }
    }

    /// One Adam step on the images at `indices`; adds the batch's metrics to `sums` without
    /// reading anything back.
    pub fn step(&mut self, data: &FashionMnist, indices: &[u32], sums: &mut MetricSums) {
        let batch = make_batch(data, indices, &self.device);
        self.step_on(batch, sums);
    }

    /// One Adam step on an already made batch.
    fn step_on(&mut self, batch: Batch, sums: &mut MetricSums) {
        let Losses {
            logits,
            data_loss,
            objective,
        } = self.losses(batch.images, batch.targets.clone());
        sums.add(logits, batch.targets, data_loss);
        let grads = GradientsParams::from_grads(objective.backward(), &self.model);
        self.model = self
            .optimizer
            .step(self.learning_rate, self.model.clone(), grads);
    }

    /// The forward pass of a training step (dropout active): class scores, the mean
    /// cross-entropy, and the objective that is minimised, the cross-entropy plus
    /// `hidden_l2 * sum(w^2)` over the hidden dense kernel (Keras' `l2` regularizer).
    pub fn losses(&self, images: Tensor<4>, targets: Tensor<1, Int>) -> Losses {
        let logits = self.model.forward(images); // [batch, 10]
        let data_loss = self.loss.forward(logits.clone(), targets); // [1]
        let objective = match self.model.hidden_kernel_square_sum() {
            Some(square_sum) if self.hidden_l2 > 0.0 => {
                data_loss.clone() + square_sum * self.hidden_l2
            }
            _ => data_loss.clone(),
        };
        Losses {
            logits,
            data_loss,
            objective,
        }
    }

    /// The device the model trains on (with autodiff).
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The model for inference (no autodiff, dropout off).
    pub fn model(&self) -> Cnn {
        self.model.valid()
    }

    /// Runs `config.epochs` epochs over `train`, evaluating on `validation` after each.
    ///
    /// `yield_now` is awaited after every step so that a browser page stays responsive;
    /// `on_event` sees every step and epoch and stops the run by returning `Break`.
    pub async fn run<Y, F>(
        &mut self,
        data: &FashionMnist,
        train: &[u32],
        validation: &[u32],
        config: &TrainConfig,
        yield_now: Y,
        mut on_event: impl FnMut(TrainEvent) -> ControlFlow<()>,
    ) -> Result<TrainReport, TrainError>
    where
        Y: Fn() -> F,
        F: Future<Output = ()>,
    {
        let started = Instant::now();
        let mut report = TrainReport {
            epochs: Vec::new(),
            stopped: false,
            seconds: 0.0,
        };
        for epoch in 1..=config.epochs {
            let epoch_started = Instant::now();
            let batches = epoch_batches(train, config.batch_size, config.seed, epoch);
            let steps = batches.len();
            let mut sums = MetricSums::default();
            for (step, indices) in batches.iter().enumerate() {
                let global_step = (epoch - 1) * steps + step;
                self.learning_rate =
                    config
                        .schedule
                        .rate(config.learning_rate, global_step, config.epochs * steps);
                let batch = if config.augment {
                    let seed =
                        config.seed ^ (global_step as u64).wrapping_mul(0xD1B5_4A32_D192_ED03);
                    make_augmented_batch(data, indices, &self.device, seed)
                } else {
                    make_batch(data, indices, &self.device)
                };
                self.step_on(batch, &mut sums);
                let step = step + 1;
                let running = if step % config.report_every.max(1) == 0 && step < steps {
                    let metrics = sums.read().await?;
                    check_finite(&metrics, epoch)?;
                    Some(metrics)
                } else {
                    None
                };
                let event = TrainEvent::Step {
                    epoch,
                    step,
                    steps,
                    running,
                };
                let mut flow = on_event(event);
                if flow.is_continue()
                    && config
                        .snapshot_every
                        .is_some_and(|every| step % every.max(1) == 0)
                {
                    flow = on_event(TrainEvent::Snapshot(self.model()));
                }
                if flow.is_break() {
                    report.stopped = true;
                    report.seconds = started.elapsed().as_secs_f64();
                    return Ok(report);
                }
                yield_now().await;
            }
            let train_metrics = sums.read().await?;
            let train_seconds = epoch_started.elapsed().as_secs_f64();
            check_finite(&train_metrics, epoch)?;
            let validation_metrics = evaluate(
                &self.model(),
                data,
                validation,
                config.batch_size,
                &yield_now,
            )
            .await?;
            let record = EpochRecord {
                epoch,
                train: train_metrics,
                validation: validation_metrics,
                train_seconds,
                seconds: epoch_started.elapsed().as_secs_f64(),
            };
            report.epochs.push(record.clone());
            let event = TrainEvent::Epoch {
                record,
                model: self.model(),
            };
            if on_event(event).is_break() {
                report.stopped = epoch < config.epochs;
                break;
            }
        }
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }
}

/// Loss and accuracy of `model` on the images at `indices`, in batches of `batch_size`.
pub async fn evaluate<Y, F>(
    model: &Cnn,
    data: &FashionMnist,
    indices: &[u32],
    batch_size: usize,
    yield_now: &Y,
) -> Result<Metrics, TrainError>
where
    Y: Fn() -> F,
    F: Future<Output = ()>,
{
    let Some(device) = model.devices().into_iter().next() else {
        return Err(TrainError::Device("the model has no device".into()));
    };
    let loss = CrossEntropyLoss::new(None, &device);
    let mut sums = MetricSums::default();
    for chunk in indices.chunks(batch_size.max(1)) {
        let batch = make_batch(data, chunk, &device);
        let logits = model.forward(batch.images);
        let mean_loss = loss.forward(logits.clone(), batch.targets.clone());
        sums.add(logits, batch.targets, mean_loss);
        yield_now().await;
    }
    sums.read().await
}

fn check_finite(metrics: &Metrics, epoch: usize) -> Result<(), TrainError> {
    if metrics.loss.is_finite() {
        Ok(())
    } else {
        Err(TrainError::NonFiniteLoss { epoch })
    }
}
