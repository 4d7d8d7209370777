//! Trains a model in a background worker (the page stays responsive), with per-epoch
//! progress, metrics and a Stop button.

use std::ops::ControlFlow;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::model_store::store_latest;
use super::state::{ActiveModel, use_lab};
use super::worker::run_in_worker;
use crate::job::{Job, JobEvent, JobOutcome};
use crate::model::CnnConfig;
use crate::model::saved::{ModelInfo, decode_model};
use crate::study::study_models;
use crate::train::{EpochRecord, TrainConfig};

/// Steps between live pictures while the representation model trains: a few readbacks of
/// small tensors, rare enough not to slow training noticeably.
const SNAPSHOT_EVERY: usize = 20;

/// Where the current run is.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Progress {
    epoch: usize,
    epochs: usize,
    step: usize,
    steps: usize,
    running_loss: Option<f64>,
    running_accuracy: Option<f64>,
}

#[component]
pub fn TrainView() -> impl IntoView {
    let lab = use_lab();
    let defaults = TrainConfig::default();
    let epochs = RwSignal::new(defaults.epochs);
    let architecture = RwSignal::new(Architecture::Model4);
    let worker_note = RwSignal::new(None::<String>);
    let train_size = RwSignal::new(49_000usize);
    let validation_size = RwSignal::new(10_500usize);
    let running = RwSignal::new(false);
    let stop_requested = RwSignal::new(false);
    let progress = RwSignal::new(Progress::default());
    let records = RwSignal::new(Vec::<EpochRecord>::new());
    let outcome = RwSignal::new(None::<String>);

    let start = move |_| {
        if running.get_untracked() {
            return;
        }
        let (Some(loaded), Some(backend)) = (lab.data.get_untracked(), lab.backend.get_untracked())
        else {
            return;
        };
        let device = backend.device.clone();
        let compute = backend.compute;
        running.set(true);
        stop_requested.set(false);
        records.set(Vec::new());
        outcome.set(None);
        worker_note.set(None);
        let config = TrainConfig {
            epochs: epochs.get_untracked().max(1),
            learning_rate: learning_rate_override().unwrap_or(TrainConfig::default().learning_rate),
            ..TrainConfig::default()
        };
        let train: Vec<u32> = loaded
            .split
            .train
            .iter()
            .take(train_size.get_untracked().max(1))
            .copied()
            .collect();
        let validation: Vec<u32> = loaded
            .split
            .validation
            .iter()
            .take(validation_size.get_untracked().max(1))
            .copied()
            .collect();
        progress.set(Progress {
            epochs: config.epochs,
            ..Progress::default()
        });
        let chosen = architecture.get_untracked();
        let representation = chosen == Architecture::Representation;
        let (model_config, model_name) = (chosen.config(), chosen.name());
        let config = TrainConfig {
            // Live filter and activation pictures while the representation model trains.
            snapshot_every: representation.then_some(SNAPSHOT_EVERY),
            ..config
        };
        let train_images = train.len();
        let job = Job::Train {
            architecture: model_config.clone(),
            config,
            train,
            validation,
        };
        spawn_local(async move {
            let ran_on = std::cell::Cell::new(compute);
            let result = run_in_worker(
                &job,
                compute,
                &loaded.data,
                |compute, note| {
                    ran_on.set(compute);
                    worker_note.set(Some(note));
                },
                |event, model_file| {
                    match event {
                        JobEvent::Step {
                            epoch,
                            step,
                            steps,
                            running,
                        } => progress.update(|p| {
                            p.epoch = epoch;
                            p.step = step;
                            p.steps = steps;
                            if let Some(m) = running {
                                p.running_loss = Some(m.loss);
                                p.running_accuracy = Some(m.accuracy);
                            }
                        }),
                        JobEvent::Epoch(record) => records.update(|r| r.push(record)),
                        JobEvent::Snapshot { epoch, step, steps } => {
                            if let Some(Ok((model, _))) =
                                model_file.map(|bytes| decode_model(&bytes, &device))
                            {
                                lab.representation.set(Some(Rc::new(ActiveModel {
                                    info: ModelInfo {
                                        name: "representation model being trained".into(),
                                        architecture: model_config.clone(),
                                        epochs: epoch,
                                        validation_accuracy: None,
                                        test_accuracy: None,
                                        trained: "training now".into(),
                                    },
                                    model,
                                    source: format!("epoch {epoch}, step {step} of {steps}"),
                                })));
                            }
                        }
                        JobEvent::Phase(_) => {}
                    }
                    if stop_requested.get_untracked() {
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                },
            )
            .await;
            let backend_label = ran_on.get().crate_name();
            let trained = match result {
                Ok((JobOutcome::Trained(report), model_file)) => Ok((report, model_file)),
                Ok((JobOutcome::Failed(e), _)) | Err(e) => Err(e),
                Ok((other, _)) => Err(format!("the worker answered {other:?}")),
            };
            match trained {
                Ok((report, model_file)) => {
                    let finished = report.epochs.len();
                    let message = match report.final_validation() {
                        Some(v) => format!(
                            "{}{} epoch(s) in {:.1} s; validation accuracy {:.1}% on {} images.",
                            if report.stopped {
                                "Stopped after "
                            } else {
                                "Trained "
                            },
                            finished,
                            report.seconds,
                            v.accuracy * 100.0,
                            v.count
                        ),
                        None => {
                            "Stopped before the first epoch ended; the model in use is unchanged."
                                .into()
                        }
                    };
                    outcome.set(Some(message));
                    let decoded = model_file.map(|bytes| decode_model(&bytes, &device));
                    if let (Some(v), Some(Ok((model, _)))) = (report.final_validation(), decoded) {
                        let info = ModelInfo {
                            name: format!("{model_name} trained here"),
                            architecture: model_config,
                            epochs: finished,
                            validation_accuracy: Some(v.accuracy),
                            test_accuracy: None,
                            trained: format!(
                                "{finished} epoch(s) on {train_images} training images in this \
                                 page ({backend_label})"
                            ),
                        };
                        if representation {
                            lab.representation.set(Some(Rc::new(ActiveModel {
                                model,
                                info,
                                source: "this page".into(),
                            })));
                            running.set(false);
                            return;
                        }
                        // Kept across reloads; a storage failure only costs that.
                        let stored = store_latest(&model, &info).await;
                        lab.model.set(Some(Rc::new(ActiveModel {
                            model,
                            info,
                            source: match stored {
                                Ok(_) => "kept in this browser's storage".into(),
                                Err(e) => format!("not kept across reloads: {e}"),
                            },
                        })));
                    }
                }
                Err(e) => outcome.set(Some(format!("Training failed: {e}"))),
            }
            running.set(false);
        });
    };

    let number_input =
        move |id: &'static str, label: &'static str, signal: RwSignal<usize>, max: usize| {
            view! {
                <label for=id>{label}</label>
                <input
                    id=id
                    type="number"
                    min="1"
                    max=max
                    prop:value=move || signal.get().to_string()
                    disabled=move || running.get()
                    on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).trim().parse::<usize>() {
                            signal.set(v.clamp(1, max));
                        }
                    }
                />
            }
        };

    let epoch_rows = move || {
        records
            .get()
            .into_iter()
            .map(|r| {
                view! {
                    <tr>
                        <td>{r.epoch}</td>
                        <td>{format!("{:.4}", r.train.loss)}</td>
                        <td>{format!("{:.2}%", r.train.accuracy * 100.0)}</td>
                        <td>{format!("{:.4}", r.validation.loss)}</td>
                        <td class="val-accuracy" data-value=r.validation.accuracy>
                            {format!("{:.2}%", r.validation.accuracy * 100.0)}
                        </td>
                        <td>{format!("{:.1} s", r.seconds)}</td>
                        <td class="throughput" data-value=r.images_per_second()>{format!("{:.0}", r.images_per_second())}</td>
                    </tr>
                }
            })
            .collect_view()
    };

    let progress_text = move || {
        let p = progress.get();
        if p.steps == 0 {
            return String::new();
        }
        let mut text = format!(
            "Epoch {} of {}: step {} of {}",
            p.epoch, p.epochs, p.step, p.steps
        );
        if let (Some(loss), Some(acc)) = (p.running_loss, p.running_accuracy) {
            text.push_str(&format!(" (loss {loss:.3}, accuracy {:.1}%)", acc * 100.0));
        }
        text
    };
    let final_accuracy = move || records.with(|r| r.last().map(|r| r.validation.accuracy));
    let ready = move || lab.data.with(Option::is_some) && lab.backend.with(Option::is_some);

    view! {
        <section id="train">
            <h2>"4. Train"</h2>
            <p class="explain">
                "Model 4 is the original study's best network: one convolution layer (32 filters of "
                "3x3, same padding, ReLU), 2x2 max-pooling, a dense layer of 100 ReLU units with an "
                "L2 penalty of 1e-5 on its weights (it pushes weights towards zero, against "
                "overfitting), and 10 outputs; 628,630 parameters. The representation model has four "
                "such conv layers (32,374 parameters); training it redraws its pictures below every "
                "20 steps. Model 1 is the study's 3-conv network (19,146 parameters). Adam, learning rate 0.001, batches of 128, pixels scaled to [0, 1]."
            </p>
            <div class="controls">
                <label for="architecture">"Model"</label>
                <select
                    id="architecture"
                    disabled=move || running.get()
                    on:change=move |ev| architecture.set(Architecture::from_value(&event_target_value(&ev)))
                >
                    <option value="model4" selected>"model 4 (classifier)"</option>
                    <option value="model1">"model 1 (3 conv layers, 19,146 parameters)"</option>
                    <option value="representation">"representation model (4 conv layers, live pictures)"</option>
                </select>
                {number_input("epochs-input", "Epochs", epochs, 50)}
                {number_input("train-size", "Training images", train_size, 49_000)}
                {number_input("validation-size", "Validation images", validation_size, 10_500)}
                <button id="train-button" on:click=start disabled=move || running.get() || !ready()>
                    "Train"
                </button>
                <button id="stop-button" on:click=move |_| stop_requested.set(true) disabled=move || !running.get()>
                    "Stop"
                </button>
            </div>
            <div class="progress" aria-live="polite">
                <progress
                    id="epoch-progress"
                    max=move || progress.get().steps.max(1)
                    value=move || progress.get().step
                ></progress>
                <span id="progress-text">{progress_text}</span>
            </div>
            <p id="train-where" class="explain">
                {move || worker_note.get().map(|note| format!("Training runs in a background worker, so this page stays responsive; {note}"))}
            </p>
            <table id="epoch-table">
                <thead>
                    <tr>
                        <th>"Epoch"</th><th>"Training loss"</th><th>"Training accuracy"</th>
                        <th>"Validation loss"</th><th>"Validation accuracy"</th><th>"Time"</th>
                        <th>"Training images/s"</th>
                    </tr>
                </thead>
                <tbody>{epoch_rows}</tbody>
            </table>
            <p id="train-outcome" data-val-accuracy=move || final_accuracy().map(|a| a.to_string())>
                {move || outcome.get()}
            </p>
        </section>
    }
}

/// The networks the Train view offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Architecture {
    Model4,
    Model1,
    Representation,
}

impl Architecture {
    fn from_value(value: &str) -> Self {
        match value {
            "model1" => Self::Model1,
            "representation" => Self::Representation,
            _ => Self::Model4,
        }
    }

    fn config(self) -> CnnConfig {
        match self {
            Self::Model4 => CnnConfig::model4(),
            Self::Model1 => study_models()
                .into_iter()
                .find(|m| m.id == 1)
                .map(|m| m.architecture)
                .unwrap_or_default(),
            Self::Representation => CnnConfig::representation(),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Model4 => "model 4",
            Self::Model1 => "model 1",
            Self::Representation => "representation model",
        }
    }
}

/// `?lr=` in the page's address sets Adam's learning rate, for experiments (and to force a
/// diverging run: `?lr=NaN`).
fn learning_rate_override() -> Option<f64> {
    super::backend::query_param("lr")?.trim().parse().ok()
}
