//! A training job described as data, so that it can run somewhere else than the page (a web
//! worker, off the UI thread) and report back: what to train ([`Job`]), what happens while it
//! runs ([`JobEvent`]) and how it ends ([`JobOutcome`]). Models travel as model files
//! ([`crate::model::saved`]) next to the messages. [`run_job`] is the worker's side; it is
//! written over the core, so it runs and is tested natively too.

use std::cell::RefCell;
use std::future::Future;
use std::ops::ControlFlow;

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::fashion_mnist::FashionMnist;
use crate::model::saved::{ModelInfo, encode_model};
use crate::model::{Cnn, CnnConfig};
use crate::study::{
    RunResult, RunStatus, StudyModel, StudyProtocol, TestResult, retrain_and_test, test_model,
    train_configuration,
};
use crate::train::{EpochRecord, Metrics, TrainConfig, TrainEvent, TrainReport, Trainer};

/// What the page asks a worker to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Job {
    /// Train `architecture` from scratch on the images at `train`, validating on `validation`
    /// after every epoch (the Train view).
    Train {
        architecture: CnnConfig,
        config: TrainConfig,
        train: Vec<u32>,
        validation: Vec<u32>,
    },
    /// One configuration of the study; configurations not from the original study are scored
    /// on the test set too.
    StudyRun {
        model: StudyModel,
        protocol: StudyProtocol,
        backend: String,
    },
    /// Retrain the study's top run on training + validation and score it on the test set.
    RetrainAndTest {
        run: RunResult,
        protocol: StudyProtocol,
        backend: String,
    },
}

/// What a running job reports. A [`JobEvent::Snapshot`] comes with the model's file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum JobEvent {
    /// A training step finished; `running` holds the epoch's metrics so far when they were
    /// read back (every `report_every` steps).
    Step {
        epoch: usize,
        step: usize,
        steps: usize,
        running: Option<Metrics>,
    },
    /// An epoch finished.
    Epoch(EpochRecord),
    /// The model as it is now (every `snapshot_every` steps), for live pictures.
    Snapshot {
        epoch: usize,
        step: usize,
        steps: usize,
    },
    /// What the job does now, in words ("scoring on the test set").
    Phase(String),
}

/// How a job ended. `Trained` and `Tested(Some(..))` come with the model's file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum JobOutcome {
    /// A [`Job::Train`] ran (all its epochs, or until it was stopped).
    Trained(TrainReport),
    /// A [`Job::StudyRun`] ended (finished, failed or cancelled: see its status);
    /// `test_error` says why a test score is missing, when scoring failed.
    StudyRun {
        run: RunResult,
        test_error: Option<String>,
    },
    /// A [`Job::RetrainAndTest`] ended; `None` when it was stopped.
    Tested(Option<TestResult>),
    /// The job could not run or failed.
    Failed(String),
}

/// A message with an optional model file next to it.
pub type WithModel<T> = (T, Option<Vec<u8>>);

/// Runs `job` on `data` with `device`. `yield_now` is awaited after every step (a worker lets
/// its messages in there); `stop` is asked after every step and ends the job early when true;
/// `send` gets every event.
pub async fn run_job<Y, F>(
    job: &Job,
    data: &FashionMnist,
    device: &Device,
    yield_now: Y,
    stop: impl Fn() -> bool,
    send: impl FnMut(WithModel<JobEvent>),
) -> WithModel<JobOutcome>
where
    Y: Fn() -> F,
    F: Future<Output = ()>,
{
    if let Some(problem) = check_indices(job, data.len()) {
        return (JobOutcome::Failed(problem), None);
    }
    let send = RefCell::new(send);
    // A snapshot is taken in the (synchronous) event callback and encoded (asynchronously,
    // the device is read) at the next yield.
    let pending: RefCell<Option<(Cnn, CnnConfig, JobEvent)>> = RefCell::new(None);
    let yield_and_flush = || {
        let (pending, send) = (&pending, &send);
        let pause = yield_now();
        async move {
            let taken = pending.borrow_mut().take();
            if let Some((model, architecture, event)) = taken
                && let Ok(bytes) = encode_model(&model, &transit_info(&architecture)).await
            {
                (send.borrow_mut())((event, Some(bytes)));
            }
            pause.await;
        }
    };
    let on_event = |event: &TrainEvent| {
        match event {
            TrainEvent::Step {
                epoch,
                step,
                steps,
                running,
            } => (send.borrow_mut())((
                JobEvent::Step {
                    epoch: *epoch,
                    step: *step,
                    steps: *steps,
                    running: *running,
                },
                None,
            )),
            TrainEvent::Epoch { record, .. } => {
                (send.borrow_mut())((JobEvent::Epoch(record.clone()), None));
            }
            TrainEvent::Snapshot(_) => {}
        }
        if stop() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    match job {
        Job::Train {
            architecture,
            config,
            train,
            validation,
        } => {
            let mut trainer = Trainer::new(architecture, config.learning_rate, config.seed, device);
            let mut last_step = (0, 0, 0);
            let result = trainer
                .run(data, train, validation, config, yield_and_flush, |event| {
                    if let TrainEvent::Step {
                        epoch, step, steps, ..
                    } = &event
                    {
                        last_step = (*epoch, *step, *steps);
                    }
                    if let TrainEvent::Snapshot(model) = &event {
                        let (epoch, step, steps) = last_step;
                        *pending.borrow_mut() = Some((
                            model.clone(),
                            architecture.clone(),
                            JobEvent::Snapshot { epoch, step, steps },
                        ));
                    }
                    on_event(&event)
                })
                .await;
            match result {
                Ok(report) => {
                    let bytes = encode_model(&trainer.model(), &transit_info(architecture))
                        .await
                        .ok();
                    (JobOutcome::Trained(report), bytes)
                }
                Err(e) => (JobOutcome::Failed(e.to_string()), None),
            }
        }
        Job::StudyRun {
            model,
            protocol,
            backend,
        } => {
            let split = protocol.split(data.len());
            let (mut run, kept) = train_configuration(
                model,
                data,
                &split,
                protocol,
                device,
                backend,
                &yield_and_flush,
                on_event,
            )
            .await;
            let mut test_error = None;
            if let (false, Some(kept), RunStatus::Finished) =
                (model.from_original_study(), &kept, &run.status)
            {
                (send.borrow_mut())((JobEvent::Phase("scoring on the test set".into()), None));
                match test_model(
                    kept,
                    data,
                    &split.test,
                    protocol.batch_size,
                    &yield_and_flush,
                )
                .await
                {
                    Ok(scored) => run.test = Some(scored.metrics),
                    Err(e) => test_error = Some(e.to_string()),
                }
            }
            (JobOutcome::StudyRun { run, test_error }, None)
        }
        Job::RetrainAndTest {
            run,
            protocol,
            backend,
        } => {
            let split = protocol.split(data.len());
            let outcome = retrain_and_test(
                run,
                data,
                &split,
                protocol,
                device,
                backend,
                &yield_and_flush,
                on_event,
            )
            .await;
            match outcome {
                Ok(Some((test, model))) => {
                    let bytes = encode_model(&model, &transit_info(&run.model.architecture))
                        .await
                        .ok();
                    (JobOutcome::Tested(Some(test)), bytes)
                }
                Ok(None) => (JobOutcome::Tested(None), None),
                Err(e) => (JobOutcome::Failed(e.to_string()), None),
            }
        }
    }
}

/// A job's indices must point into the data the worker holds.
fn check_indices(job: &Job, len: usize) -> Option<String> {
    let Job::Train {
        train, validation, ..
    } = job
    else {
        return (len == 0).then(|| "the worker has no images".into());
    };
    if train.is_empty() {
        return Some("no training images were chosen".into());
    }
    train
        .iter()
        .chain(validation)
        .find(|&&i| i as usize >= len)
        .map(|i| format!("image {i} is not in the worker's {len} images"))
}

/// The description a model file carries on its way back to the page (which names it).
fn transit_info(architecture: &CnnConfig) -> ModelInfo {
    ModelInfo {
        name: "model from the training worker".into(),
        architecture: architecture.clone(),
        epochs: 0,
        validation_accuracy: None,
        test_accuracy: None,
        trained: "in a background worker".into(),
    }
}

/// Where a job computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Compute {
    /// burn-wgpu.
    WebGpu,
    /// burn-flex, the CPU backend (gemm with wasm SIMD).
    Flex,
    /// burn-ndarray, the brief's CPU backend, kept for comparison (`?backend=ndarray`).
    Ndarray,
}

impl Compute {
    /// The device of a CPU backend (`None` for WebGPU, which starts asynchronously).
    #[allow(deprecated)] // burn 0.22 deprecates ndarray; kept to measure against flex.
    pub fn cpu_device(self) -> Option<Device> {
        match self {
            Self::WebGpu => None,
            Self::Flex => Some(Device::flex()),
            Self::Ndarray => Some(Device::ndarray()),
        }
    }

    /// The backend's crate, as the page names it.
    pub fn crate_name(self) -> &'static str {
        match self {
            Self::WebGpu => "burn-wgpu",
            Self::Flex => "burn-flex",
            Self::Ndarray => "burn-ndarray",
        }
    }
}

/// What the page sends its training worker. The data set's pixels and labels travel next to
/// [`ToWorker::Start`] as bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ToWorker {
    /// Run `job` on `compute` (WebGPU only if the worker has it too).
    Start { job: Job, compute: Compute },
    /// End the running job after its current step.
    Stop,
}

/// What a training worker sends the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FromWorker {
    /// The worker's code is running and listens.
    Loaded,
    /// The job's backend is ready: which one, and why, in one sentence.
    Ready { compute: Compute, note: String },
    /// A running job's event.
    Event(JobEvent),
    /// The job ended.
    Done(JobOutcome),
    /// The worker failed outside any job (it could not start, or it panicked).
    Crashed(String),
}
