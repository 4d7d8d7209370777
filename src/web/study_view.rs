//! The regularization study in the page: pick configurations, run them in sequence with live
//! curves, a results table, the top model retrained and tested, export and re-open.

use std::ops::ControlFlow;
use std::rc::Rc;

use leptos::html::Canvas;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use web_sys::{HtmlAnchorElement, HtmlCanvasElement, HtmlInputElement};

use super::backend::Backend;
use super::canvas::paint_grey;
use super::download::fetch_bytes;
use super::model_store::{download, read_file};
use super::state::{ActiveModel, LoadedData, use_lab};
use super::study_charts::draw_panel;
use super::study_store::{
    clear_study, keep_as_previous, load_previous_study, load_study, save_study,
};
use super::worker::run_in_worker;
use crate::data::fashion_mnist::CLASS_NAMES;
use crate::job::{Job, JobEvent, JobOutcome};
use crate::model::Cnn;
use crate::model::saved::{ModelInfo, decode_model};
use crate::study::curves::{Metric, curves};
use crate::study::{
    RunResult, RunStatus, StudyModel, StudyProtocol, StudyResults, TestResult, study_models,
};

/// The two panels of the original study's overview.
const PANELS: [(&str, &[usize]); 2] = [
    ("models 1-4", &[1, 2, 3, 4]),
    ("models 5-8 and 9", &[5, 6, 7, 8, 9]),
];

/// The full study run natively on all the data (`fashion-lab-study`), shipped with the site.
const REFERENCE_URL: &str = "assets/study-reference.json";

fn now_ms() -> f64 {
    js_sys::Date::now()
}

#[component]
pub fn StudyView() -> impl IntoView {
    let lab = use_lab();
    let message = RwSignal::new(None::<(bool, String)>);
    let initial = match load_study() {
        Ok(Some(results)) => {
            message.set(Some((
                false,
                format!(
                    "Re-opened the study stored in this browser ({} run(s)).",
                    results.runs.len()
                ),
            )));
            results
        }
        Ok(None) => StudyResults::new(42, 128, 1e-3, now_ms()),
        Err(e) => {
            message.set(Some((true, e)));
            StudyResults::new(42, 128, 1e-3, now_ms())
        }
    };
    let results = RwSignal::new(initial);
    let selected = RwSignal::new(vec![1usize, 2, 3, 4, 5, 6, 7, 8]);
    let train_size = RwSignal::new(49_000usize);
    let validation_size = RwSignal::new(10_500usize);
    let test_size = RwSignal::new(10_500usize);
    let max_epochs = RwSignal::new(15usize);
    let running = RwSignal::new(false);
    let stop_requested = RwSignal::new(false);
    let progress = RwSignal::new(String::new());
    let step_progress = RwSignal::new((0usize, 1usize));
    let top_model = RwSignal::new_local(None::<Cnn>);

    let save = move || {
        let outcome = results.with_untracked(save_study);
        if let Err(e) = outcome {
            message.set(Some((true, e)));
        }
    };

    let start = move |_| {
        if running.get_untracked() {
            return;
        }
        let (Some(loaded), Some(backend)) = (lab.data.get_untracked(), lab.backend.get_untracked())
        else {
            return;
        };
        let chosen: Vec<StudyModel> = study_models()
            .into_iter()
            .filter(|m| selected.with_untracked(|s| s.contains(&m.id)))
            .collect();
        if chosen.is_empty() {
            message.set(Some((true, "Pick at least one configuration.".into())));
            return;
        }
        let protocol = StudyProtocol {
            train_images: Some(train_size.get_untracked()),
            validation_images: Some(validation_size.get_untracked()),
            test_images: Some(test_size.get_untracked()),
            max_epochs: Some(max_epochs.get_untracked()),
            ..StudyProtocol::default()
        };
        running.set(true);
        stop_requested.set(false);
        message.set(None);
        spawn_local(async move {
            run_study(
                loaded,
                chosen,
                protocol,
                backend,
                results,
                StudyControls {
                    stop_requested,
                    progress,
                    step_progress,
                    message,
                    top_model,
                },
            )
            .await;
            save();
            running.set(false);
        });
    };

    let test_top = move |_| {
        if running.get_untracked() {
            return;
        }
        let (Some(loaded), Some(backend)) = (lab.data.get_untracked(), lab.backend.get_untracked())
        else {
            return;
        };
        let protocol = StudyProtocol {
            train_images: Some(train_size.get_untracked()),
            validation_images: Some(validation_size.get_untracked()),
            test_images: Some(test_size.get_untracked()),
            max_epochs: Some(max_epochs.get_untracked()),
            ..StudyProtocol::default()
        };
        running.set(true);
        stop_requested.set(false);
        let controls = StudyControls {
            stop_requested,
            progress,
            step_progress,
            message,
            top_model,
        };
        spawn_local(async move {
            test_best(&loaded, &protocol, &backend, results, &controls).await;
            save();
            running.set(false);
        });
    };

    // Shows `study` in place of the current one, which is kept aside (one level of "back").
    let replace = move |study: StudyResults, what: String| {
        if let Err(e) = results.with_untracked(keep_as_previous) {
            message.set(Some((
                true,
                format!("{what} was not opened: the current study could not be kept aside ({e})."),
            )));
            return;
        }
        let runs = study.runs.len();
        results.set(study);
        top_model.set(None);
        save();
        message.set(Some((
            false,
            format!("Opened {what} ({runs} run(s)); the study shown before is kept: \"Back to the previous study\" returns to it."),
        )));
    };

    let open_reference = move |_| {
        if running.get_untracked() {
            return;
        }
        spawn_local(async move {
            let parsed = fetch_bytes(REFERENCE_URL, |_, _| {})
                .await
                .and_then(|bytes| String::from_utf8(bytes).map_err(|_| "not a text file".into()))
                .and_then(|text| StudyResults::from_json(&text));
            match parsed {
                Ok(study) => replace(study, "the reference study (native, full data)".into()),
                Err(e) => message.set(Some((
                    true,
                    format!("The reference study ({REFERENCE_URL}) could not be opened: {e}."),
                ))),
            }
        });
    };

    let back = move |_| {
        if running.get_untracked() {
            return;
        }
        match load_previous_study() {
            Ok(Some(previous)) => replace(previous, "the previous study".into()),
            Ok(None) => message.set(Some((
                true,
                "There is no previous study in this browser.".into(),
            ))),
            Err(e) => message.set(Some((true, e))),
        }
    };

    let import = move |ev: leptos::ev::Event| {
        let input: Option<HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
        let Some(input) = input else { return };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        spawn_local(async move {
            let name = file.name();
            let parsed = match read_file(&file).await {
                Ok(bytes) => String::from_utf8(bytes)
                    .map_err(|_| "not a text file".to_string())
                    .and_then(|text| StudyResults::from_json(&text)),
                Err(e) => Err(e),
            };
            match parsed {
                Ok(study) => replace(study, name),
                Err(e) => message.set(Some((
                    true,
                    format!("{name} was not opened: {e}. The study shown is unchanged."),
                ))),
            }
        });
    };

    let export_json = move |_| {
        let json = results.with_untracked(StudyResults::to_json);
        if let Err(e) = download(json.as_bytes(), "fashion-lab-study.json") {
            message.set(Some((true, format!("The file could not be offered: {e}"))));
        }
    };
    let export_csv = move |_| {
        let csv = results.with_untracked(StudyResults::to_csv);
        if let Err(e) = download(csv.as_bytes(), "fashion-lab-study.csv") {
            message.set(Some((true, format!("The file could not be offered: {e}"))));
        }
    };
    let forget = move |_| {
        if running.get_untracked() {
            return;
        }
        if let Err(e) = results.with_untracked(keep_as_previous) {
            message.set(Some((
                true,
                format!("The study could not be kept aside ({e}); nothing was cleared."),
            )));
            return;
        }
        results.set(StudyResults::new(42, 128, 1e-3, now_ms()));
        top_model.set(None);
        match clear_study() {
            Ok(()) => message.set(Some((
                false,
                "Started a new, empty study; \"Back to the previous study\" returns to the old one.".into(),
            ))),
            Err(e) => message.set(Some((true, e))),
        }
    };
    let use_top = move |_| {
        let Some(model) = top_model.get_untracked() else {
            return;
        };
        let Some(top) = results.with_untracked(|r| r.top.clone()) else {
            return;
        };
        let Some(run) = results.with_untracked(|r| {
            r.runs
                .iter()
                .find(|run| run.model.id == top.model_id)
                .cloned()
        }) else {
            return;
        };
        lab.model.set(Some(Rc::new(ActiveModel {
            model,
            info: ModelInfo {
                name: format!("study {} (retrained)", run.model.name()),
                architecture: run.model.architecture.clone(),
                epochs: top.epochs,
                validation_accuracy: run.validation.map(|v| v.accuracy),
                test_accuracy: Some(top.test.accuracy),
                trained: format!(
                    "{} epoch(s) on {} training + validation images in this page",
                    top.epochs, top.train_images
                ),
            },
            source: "the study's top model, this page".into(),
        })));
        message.set(Some((
            false,
            "The classifier now uses the study's top model.".into(),
        )));
    };

    let checkbox = move |model: StudyModel| {
        let id = model.id;
        let input_id = format!("study-model-{id}");
        let label_for = input_id.clone();
        let label = format!(
            "{} ({}){}",
            model.name(),
            model.summary(),
            if model.from_original_study() {
                ""
            } else {
                ", ours: not from the original study"
            }
        );
        view! {
            <label class="check" for=label_for>
                <input
                    type="checkbox"
                    id=input_id
                    prop:checked=move || selected.with(|s| s.contains(&id))
                    disabled=move || running.get()
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        selected.update(|s| {
                            s.retain(|&x| x != id);
                            if on {
                                s.push(id);
                                s.sort_unstable();
                            }
                        });
                    }
                />
                {label}
            </label>
        }
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

    let ready = move || lab.data.with(Option::is_some) && lab.backend.with(Option::is_some);
    let has_runs = move || results.with(|r| !r.runs.is_empty());

    view! {
        <section id="study">
            <h2>"5. Regularization study"</h2>
            <p class="explain">
                "Eight networks from the original study: one or three conv layers (32 filters of 3x3, "
                "ReLU, same padding, 2x2 max-pooling), each with no regularization, an L2 penalty "
                "(a dense layer of 100 units whose weights are pushed towards zero by adding "
                "1e-5 x their squared sum to the loss), dropout (10% of the activations zeroed at "
                "random in training, never when evaluating) or early stopping (training ends when "
                "the validation loss stops falling, and the best epoch's weights are kept). Adam, "
                "learning rate 0.001, batches of 128, 10 epochs, on the seeded 70/15/15 split. "
                "Pixels are scaled to [0, 1]; the original study fed raw 0-255 values. The best by "
                "validation accuracy is retrained on training + validation and scored on the test set. "
                "Model 9 is ours, not from the original study: wider conv layers (32, 96 and 192 "
                "filters) with batch normalization, a dense layer of 256 units with 30% dropout, "
                "training images shifted at random by up to a pixel, and a learning rate that decays "
                "along a cosine; 15 epochs in batches of 64, scored on the test set directly."
            </p>
            <fieldset class="study-models">
                <legend>"Configurations"</legend>
                {study_models().into_iter().map(checkbox).collect_view()}
            </fieldset>
            <div class="controls">
                {number_input("study-train-size", "Training images", train_size, 49_000)}
                {number_input("study-validation-size", "Validation images", validation_size, 10_500)}
                {number_input("study-test-size", "Test images", test_size, 10_500)}
                {number_input("study-max-epochs", "At most epochs", max_epochs, 15)}
                <button id="study-run" on:click=start disabled=move || running.get() || !ready()>
                    "Run study"
                </button>
                <button id="study-cancel" on:click=move |_| stop_requested.set(true) disabled=move || !running.get()>
                    "Cancel"
                </button>
                <button
                    id="study-test-top"
                    on:click=test_top
                    disabled=move || running.get() || !ready() || results.with(|r| r.best_run().is_none())
                >
                    "Retrain the top model and test it"
                </button>
            </div>
            <div class="progress" aria-live="polite">
                <progress
                    id="study-progress"
                    max=move || step_progress.get().1.max(1)
                    value=move || step_progress.get().0
                ></progress>
                <span id="study-progress-text">{move || progress.get()}</span>
            </div>
            <p
                id="study-message"
                class=move || if message.with(|m| m.as_ref().is_some_and(|m| m.0)) { "error" } else { "note" }
                role="status"
            >
                {move || message.get().map(|m| m.1)}
            </p>
            <StudyCharts results=results/>
            <ResultsTable results=results/>
            <div class="controls">
                <button id="study-export-json" on:click=export_json disabled=move || !has_runs()>
                    "Export JSON"
                </button>
                <button id="study-export-csv" on:click=export_csv disabled=move || !has_runs()>
                    "Export CSV"
                </button>
                <label class="file-button" for="study-import">"Open a study (JSON)"</label>
                <input id="study-import" type="file" accept=".json,application/json" on:change=import disabled=move || running.get()/>
                <button id="study-clear" on:click=forget disabled=move || running.get() || !has_runs()>
                    "New study"
                </button>
                <button id="study-reference" on:click=open_reference disabled=move || running.get()>
                    "Open the reference study (full data, native)"
                </button>
                <button id="study-back" on:click=back disabled=move || running.get()>
                    "Back to the previous study"
                </button>
            </div>
            <TopModel results=results/>
            <Show when=move || top_model.with(Option::is_some)>
                <button id="study-use-top" on:click=use_top>"Classify with the top model"</button>
            </Show>
        </section>
    }
}

/// The signals a running study reports to.
#[derive(Clone, Copy)]
struct StudyControls {
    stop_requested: RwSignal<bool>,
    progress: RwSignal<String>,
    step_progress: RwSignal<(usize, usize)>,
    message: RwSignal<Option<(bool, String)>>,
    top_model: RwSignal<Option<Cnn>, LocalStorage>,
}

/// Runs `chosen` in sequence, each in a background worker, storing the study after every
/// epoch, then tests the top model.
async fn run_study(
    loaded: Rc<LoadedData>,
    chosen: Vec<StudyModel>,
    protocol: StudyProtocol,
    backend: Rc<Backend>,
    results: RwSignal<StudyResults>,
    controls: StudyControls,
) {
    let split = protocol.split(loaded.data.len());
    let count = chosen.len();
    for (position, model) in chosen.iter().enumerate() {
        let epochs = protocol.train_config(model).epochs;
        let header = format!(
            "{} of {count}: {} ({})",
            position + 1,
            model.name(),
            model.summary()
        );
        controls.progress.set(format!("{header}: starting"));
        let mut live = RunResult {
            model: model.clone(),
            parameters: model.architecture.parameter_count(),
            status: RunStatus::Running,
            epochs: Vec::new(),
            kept_epoch: 0,
            stopped_early_at: None,
            seconds: 0.0,
            validation: None,
            best_validation_accuracy: None,
            test: None,
            train_images: split.train.len(),
            validation_images: split.validation.len(),
            backend: backend.note.clone(),
        };
        results.update(|r| r.record(live.clone()));
        let job = Job::StudyRun {
            model: model.clone(),
            protocol: protocol.clone(),
            backend: backend.note.clone(),
        };
        let outcome = run_in_worker(
            &job,
            backend.compute,
            &loaded.data,
            |_, _| {},
            |event, _| {
                match event {
                    JobEvent::Step {
                        epoch, step, steps, ..
                    } => {
                        controls.step_progress.set((step, steps));
                        controls.progress.set(format!(
                            "{header}: epoch {epoch} of {epochs}, step {step} of {steps}"
                        ));
                    }
                    JobEvent::Epoch(record) => {
                        live.epochs.push(record);
                        results.update(|r| r.record(live.clone()));
                        if let Err(e) = results.with_untracked(save_study) {
                            controls.message.set(Some((true, e)));
                        }
                    }
                    JobEvent::Phase(phase) => controls.progress.set(format!("{header}: {phase}")),
                    JobEvent::Snapshot { .. } => {}
                }
                if controls.stop_requested.get_untracked() {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        )
        .await;
        let run = match outcome {
            Ok((JobOutcome::StudyRun { run, test_error }, _)) => {
                if let Some(e) = test_error {
                    controls.message.set(Some((true, e)));
                }
                run
            }
            Ok((JobOutcome::Failed(e), _)) | Err(e) => RunResult {
                status: RunStatus::Failed(e),
                ..live.clone()
            },
            Ok((other, _)) => RunResult {
                status: RunStatus::Failed(format!("the worker answered {other:?}")),
                ..live.clone()
            },
        };
        let status = run.status.clone();
        results.update(|r| r.record(run));
        if let Err(e) = results.with_untracked(save_study) {
            controls.message.set(Some((true, e)));
        }
        match status {
            RunStatus::Cancelled => {
                controls
                    .progress
                    .set("Cancelled; the finished epochs are kept.".into());
                return;
            }
            RunStatus::Failed(e) => controls.message.set(Some((
                true,
                format!(
                    "{} failed: {e}. The study goes on with the next.",
                    model.name()
                ),
            ))),
            _ => {}
        }
    }
    test_best(&loaded, &protocol, &backend, results, &controls).await;
}

/// Retrains the best finished run on training + validation, in a background worker, and
/// scores it on the test set.
async fn test_best(
    loaded: &LoadedData,
    protocol: &StudyProtocol,
    backend: &Backend,
    results: RwSignal<StudyResults>,
    controls: &StudyControls,
) {
    let Some(best) = results.with_untracked(|r| r.best_run().cloned()) else {
        controls
            .progress
            .set("No finished run of the original study to test.".into());
        return;
    };
    let split = protocol.split(loaded.data.len());
    let header = format!(
        "Top model: {} retrained on {} training + validation images",
        best.model.name(),
        split.train.len() + split.validation.len()
    );
    controls.progress.set(header.clone());
    let job = Job::RetrainAndTest {
        run: best.clone(),
        protocol: protocol.clone(),
        backend: backend.note.clone(),
    };
    let outcome = run_in_worker(
        &job,
        backend.compute,
        &loaded.data,
        |_, _| {},
        |event, _| {
            match event {
                JobEvent::Step {
                    epoch, step, steps, ..
                } => {
                    controls.step_progress.set((step, steps));
                    controls
                        .progress
                        .set(format!("{header}: epoch {epoch}, step {step} of {steps}"));
                }
                JobEvent::Phase(phase) => controls.progress.set(format!("{header}: {phase}")),
                JobEvent::Epoch(_) | JobEvent::Snapshot { .. } => {}
            }
            if controls.stop_requested.get_untracked() {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        },
    )
    .await;
    match outcome {
        Ok((JobOutcome::Tested(Some(test)), model_file)) => {
            controls.progress.set(format!(
                "Done: {} scored {:.2}% on {} test images.",
                best.model.name(),
                test.test.accuracy * 100.0,
                test.test.count
            ));
            results.update(|r| r.top = Some(test));
            match model_file.map(|bytes| decode_model(&bytes, &backend.device)) {
                Some(Ok((model, _))) => controls.top_model.set(Some(model)),
                Some(Err(e)) => controls.message.set(Some((
                    true,
                    format!("The top model could not be read back: {e}"),
                ))),
                None => {}
            }
        }
        Ok((JobOutcome::Tested(None), _)) => controls
            .progress
            .set("Cancelled the top model's retraining.".into()),
        Ok((JobOutcome::Failed(e), _)) | Err(e) => {
            controls
                .progress
                .set("Stopped: retraining the top model failed.".into());
            controls.message.set(Some((
                true,
                format!("Retraining the top model failed: {e}"),
            )));
        }
        Ok((other, _)) => controls.message.set(Some((
            true,
            format!("Retraining the top model failed: the worker answered {other:?}"),
        ))),
    }
}

#[component]
fn StudyCharts(results: RwSignal<StudyResults>) -> impl IntoView {
    let canvases: Vec<(NodeRef<Canvas>, &str, &[usize], Metric)> = [Metric::Accuracy, Metric::Loss]
        .into_iter()
        .flat_map(|metric| {
            PANELS
                .iter()
                .map(move |(title, ids)| (NodeRef::new(), *title, *ids, metric))
        })
        .collect();
    let message = RwSignal::new(None::<String>);
    let drawn = canvases.clone();
    Effect::new(move |_| {
        results.with(|r| {
            for (node, title, ids, metric) in &drawn {
                if let Some(canvas) = node.get() {
                    let title = format!("{}, {title}", metric.label());
                    if let Err(e) =
                        draw_panel(&canvas, &title, &curves(&r.runs, ids, *metric), *metric)
                    {
                        message.set(Some(e));
                    }
                }
            }
        });
    });
    view! {
        <div class="study-charts">
            {canvases
                .into_iter()
                .enumerate()
                .map(|(i, (node, title, _, metric))| {
                    let id = format!("study-chart-{i}");
                    let alt = format!(
                        "Per-epoch {} of {title}: solid lines with points for validation, dashed for training",
                        metric.label()
                    );
                    let file = format!("fashion-lab-{}-{}.png", metric.label().replace(' ', "-"), title.replace(' ', "-"));
                    view! {
                        <figure>
                            <canvas id=id class="study-chart" node_ref=node width="520" height="300" role="img" aria-label=alt></canvas>
                            <figcaption>
                                <button class="link" on:click=move |_| export_png(node, &file)>"Download PNG"</button>
                            </figcaption>
                        </figure>
                    }
                })
                .collect_view()}
            <p class="error">{move || message.get()}</p>
        </div>
    }
}

fn export_png(node: NodeRef<Canvas>, file: &str) {
    let Some(canvas) = node.get_untracked() else {
        return;
    };
    let canvas: HtmlCanvasElement = canvas;
    let Ok(url) = canvas.to_data_url() else {
        return;
    };
    let anchor: Option<HtmlAnchorElement> = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|a| a.dyn_into().ok());
    if let Some(anchor) = anchor {
        anchor.set_href(&url);
        anchor.set_download(file);
        anchor.click();
    }
}

fn percent(value: Option<f64>) -> String {
    value.map_or("-".into(), |v| format!("{:.2}%", v * 100.0))
}

#[component]
fn ResultsTable(results: RwSignal<StudyResults>) -> impl IntoView {
    let rows = move || {
        results.with(|r| {
            let best = r.best_run().map(|b| b.model.id);
            r.runs
                .iter()
                .map(|run| {
                    let is_best = Some(run.model.id) == best;
                    let epochs = match run.stopped_early_at {
                        Some(_) => format!("{} (kept {})", run.epochs_run(), run.kept_epoch),
                        None => run.epochs_run().to_string(),
                    };
                    view! {
                        <tr class:best=is_best data-model=run.model.id>
                            <td>{run.model.name()}{(!run.model.from_original_study()).then_some(" (ours)")}</td>
                            <td>{run.model.conv_layers()}</td>
                            <td>{run.model.regularization.label()}</td>
                            <td>{run.parameters.to_string()}</td>
                            <td>{epochs}</td>
                            <td>{format!("{:.1} s", run.seconds)}</td>
                            <td class="val-accuracy" data-value=run.validation.map(|v| v.accuracy)>
                                {percent(run.validation.map(|v| v.accuracy))}
                            </td>
                            <td>{run.validation.map_or("-".into(), |v| format!("{:.4}", v.loss))}</td>
                            <td>{percent(run.best_validation_accuracy)}</td>
                            <td>{percent(run.test.map(|t| t.accuracy))}</td>
                            <td>{run.train_images.to_string()}</td>
                            <td class="backend">{run.backend.clone()}</td>
                            <td>{run.status_label()}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label="Results per configuration">
            <table id="study-table">
                <caption>"Results per configuration (the best by validation accuracy is highlighted)"</caption>
                <thead>
                    <tr>
                        <th>"Model"</th><th>"Conv layers"</th><th>"Regularization"</th>
                        <th>"Parameters"</th><th>"Epochs run"</th><th>"Training time"</th>
                        <th>"Validation accuracy"</th><th>"Validation loss"</th>
                        <th>"Best epoch's validation accuracy"</th><th>"Test accuracy"</th>
                        <th>"Training images"</th><th>"Backend"</th><th>"Status"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
fn TopModel(results: RwSignal<StudyResults>) -> impl IntoView {
    let lab = use_lab();
    move || {
        let top = results.with(|r| r.top.clone())?;
        Some(view! { <TestReport top=top data=lab.data.get()/> })
    }
}

#[component]
fn TestReport(top: TestResult, data: Option<Rc<LoadedData>>) -> impl IntoView {
    let per_class = top.per_class_accuracy();
    let header = (0..CLASS_NAMES.len())
        .map(|c| view! { <th scope="col" title=CLASS_NAMES[c]>{c.to_string()}</th> })
        .collect_view();
    let rows = (0..CLASS_NAMES.len())
        .map(|truth| {
            let total: u32 = top.confusion[truth].iter().sum();
            let cells = (0..CLASS_NAMES.len())
                .map(|predicted| {
                    let count = top.confusion[truth][predicted];
                    let share = f64::from(count) / f64::from(total.max(1));
                    let style = format!("--share: {share:.3}");
                    view! {
                        <td class:diagonal=truth == predicted style=style>{count.to_string()}</td>
                    }
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row">{format!("{truth} {}", CLASS_NAMES[truth])}</th>
                    {cells}
                    <td class="per-class">{percent(Some(per_class[truth]))}</td>
                </tr>
            }
        })
        .collect_view();
    let gallery = data.map(|loaded| {
        top.mistakes
            .iter()
            .map(|m| {
                let node = NodeRef::<Canvas>::new();
                let image = loaded.data.image(m.index as usize).to_vec();
                Effect::new(move |_| {
                    if let Some(canvas) = node.get() {
                        paint_grey(&canvas, &image, 28, 28);
                    }
                });
                let truth = CLASS_NAMES[usize::from(m.truth)];
                let predicted = CLASS_NAMES[usize::from(m.predicted)];
                let label = format!("a {truth} taken for a {predicted}");
                view! {
                    <figure class="mistake">
                        <canvas node_ref=node width="28" height="28" role="img" aria-label=label></canvas>
                        <figcaption>
                            {truth}<br/>"→ "{predicted}{format!(" ({:.0}%)", m.confidence * 100.0)}
                        </figcaption>
                    </figure>
                }
            })
            .collect_view()
    });
    view! {
        <div id="study-top">
            <h3>{format!("Top model: model {} on the test set", top.model_id)}</h3>
            <p id="study-test-accuracy" data-value=top.test.accuracy>
                {format!(
                    "Retrained for {} epoch(s) on {} training + validation images ({:.0} s, {}). Test accuracy {:.2}%, loss {:.4} on {} images.",
                    top.epochs,
                    top.train_images,
                    top.seconds,
                    top.backend,
                    top.test.accuracy * 100.0,
                    top.test.loss,
                    top.test.count
                )}
            </p>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Confusion matrix">
                <table id="confusion-matrix" class="confusion">
                    <caption>"Confusion matrix: rows are the true class, columns the predicted class; the last column is the accuracy per class"</caption>
                    <thead><tr><th></th>{header}<th>"Accuracy"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <h4>"The most confident mistakes"</h4>
            <div class="mistakes">{gallery}</div>
        </div>
    }
}
