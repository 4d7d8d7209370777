//! Training off the page's thread: a dedicated web worker runs the same wasm module (the page
//! hands it the compiled module, so nothing is downloaded or compiled twice) and runs one
//! [`Job`] with [`run_job`]. Messages are the typed [`ToWorker`] / [`FromWorker`] as JSON, with
//! bytes (the data set, model files) next to them as transferred `Uint8Array`s.
//!
//! One worker per job: it starts in well under a second, and ending it frees everything the
//! job held, so memory does not grow from run to run.

use std::cell::Cell;
use std::ops::ControlFlow;
use std::rc::Rc;

use futures::StreamExt;
use futures::channel::mpsc;
use gloo_timers::future::TimeoutFuture;
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use super::backend::{js_error, worker_backend};
use crate::data::fashion_mnist::FashionMnist;
use crate::job::{Compute, FromWorker, Job, JobEvent, JobOutcome, ToWorker, WithModel, run_job};

/// Loads the app's module in the worker with the compiled module it is sent, then hands over
/// to [`worker_main`] (which the module's start runs). Reports a failure in the protocol's form.
const BOOTSTRAP: &str = r#"
self.onmessage = async (event) => {
  self.onmessage = null;
  try {
    const app = await import(event.data.script);
    await app.default({ module_or_path: event.data.module });
  } catch (e) {
    self.postMessage({ json: JSON.stringify({ Crashed: `the app's code did not load in the worker (${e})` }) });
  }
};
"#;

/// Whether this code runs in a dedicated worker (not in the page).
pub fn in_worker() -> bool {
    js_sys::global()
        .dyn_ref::<web_sys::DedicatedWorkerGlobalScope>()
        .is_some()
}

// ---- The page's side ----------------------------------------------------------------------

/// Runs `job` in a new worker over `data`, on `compute`. `on_ready` hears which
/// backend the worker got (and why); `on_event` sees every event and asks the job to stop by
/// returning `Break`. Resolves to the outcome, or to why the worker failed.
pub async fn run_in_worker(
    job: &Job,
    compute: Compute,
    data: &FashionMnist,
    mut on_ready: impl FnMut(Compute, String),
    mut on_event: impl FnMut(JobEvent, Option<Vec<u8>>) -> ControlFlow<()>,
) -> Result<WithModel<JobOutcome>, String> {
    let script = app_script_url()?;
    let bootstrap = blob_url(BOOTSTRAP)?;
    let options = web_sys::WorkerOptions::new();
    options.set_type(web_sys::WorkerType::Module);
    let worker = web_sys::Worker::new_with_options(&bootstrap, &options)
        .map_err(|e| format!("the browser refused to start a worker ({})", js_error(&e)));
    let _ = web_sys::Url::revoke_object_url(&bootstrap);
    let worker = worker?;

    let (sender, mut messages) = mpsc::unbounded::<Result<WithModel<FromWorker>, String>>();
    let on_message = {
        let sender = sender.clone();
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let _ = sender.unbounded_send(read_envelope(&event.data()));
        })
    };
    let on_error =
        Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |event: web_sys::ErrorEvent| {
            let _ = sender.unbounded_send(Err(format!(
                "the training worker failed: {}",
                event.message()
            )));
        });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));

    let hello = Object::new();
    let _ = Reflect::set(&hello, &"script".into(), &script.into());
    let _ = Reflect::set(&hello, &"module".into(), &wasm_bindgen::module());
    let result = match worker.post_message(&hello) {
        Err(e) => Err(format!(
            "the worker could not be given the app ({})",
            js_error(&e)
        )),
        Ok(()) => {
            let mut stop_sent = false;
            loop {
                let Some(message) = messages.next().await else {
                    break Err("the training worker went away".into());
                };
                match message {
                    Err(e) => break Err(e),
                    Ok((FromWorker::Loaded, _)) => {
                        let start = ToWorker::Start {
                            job: job.clone(),
                            compute,
                        };
                        if let Err(e) = post_start(&worker, &start, data) {
                            break Err(e);
                        }
                    }
                    Ok((FromWorker::Ready { compute, note }, _)) => on_ready(compute, note),
                    Ok((FromWorker::Event(event), bytes)) => {
                        if on_event(event, bytes).is_break() && !stop_sent {
                            stop_sent = true;
                            let _ = post_json(&worker, &ToWorker::Stop);
                        }
                    }
                    Ok((FromWorker::Done(outcome), bytes)) => break Ok((outcome, bytes)),
                    Ok((FromWorker::Crashed(e), _)) => {
                        break Err(format!("the training worker stopped: {e}"));
                    }
                }
            }
        }
    };
    worker.terminate();
    drop((on_message, on_error));
    result
}

/// The URL of the app's JavaScript module, as trunk put it in the page.
fn app_script_url() -> Result<String, String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let base = document
        .base_uri()
        .ok()
        .flatten()
        .ok_or("the page has no base address")?;
    let preloaded = document
        .query_selector("link[rel=modulepreload][href$='.js']")
        .ok()
        .flatten()
        .and_then(|link| link.get_attribute("href"));
    // Else the loader script: `import init, * as bindings from '<url>';`
    let imported = || {
        let scripts = document.query_selector_all("script[type=module]").ok()?;
        (0..scripts.length()).find_map(|i| {
            let text = scripts.item(i)?.text_content()?;
            let start = text.find("from '")? + "from '".len();
            let end = start + text[start..].find('\'')?;
            Some(text[start..end].to_string())
        })
    };
    let relative = preloaded
        .or_else(imported)
        .ok_or("the page does not say where the app's script is")?;
    web_sys::Url::new_with_base(&relative, &base)
        .map(|url| url.href())
        .map_err(|e| format!("the app's script address is invalid ({})", js_error(&e)))
}

fn blob_url(script: &str) -> Result<String, String> {
    let parts = Array::of1(&JsValue::from_str(script));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|e| js_error(&e))?;
    web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| js_error(&e))
}

/// Sends the job with the data set's bytes (copied out of this module's memory, then moved,
/// not copied again, to the worker).
fn post_start(
    worker: &web_sys::Worker,
    start: &ToWorker,
    data: &FashionMnist,
) -> Result<(), String> {
    let envelope = Object::new();
    let json = serde_json::to_string(start).map_err(|e| e.to_string())?;
    let pixels = Uint8Array::from(data.pixels());
    let labels = Uint8Array::from(data.labels());
    let _ = Reflect::set(&envelope, &"json".into(), &json.into());
    let _ = Reflect::set(&envelope, &"pixels".into(), &pixels);
    let _ = Reflect::set(&envelope, &"labels".into(), &labels);
    let transfer = Array::of2(&pixels.buffer(), &labels.buffer());
    worker
        .post_message_with_transfer(&envelope, &transfer)
        .map_err(|e| {
            format!(
                "the data could not be handed to the worker ({})",
                js_error(&e)
            )
        })
}

fn post_json(worker: &web_sys::Worker, message: &ToWorker) -> Result<(), JsValue> {
    let envelope = Object::new();
    let json = serde_json::to_string(message).unwrap_or_default();
    Reflect::set(&envelope, &"json".into(), &json.into())?;
    worker.post_message(&envelope)
}

/// Reads a worker's message: its JSON and the model file next to it. Records the worker's
/// memory on the page's root element (`data-worker-memory`, bytes), for the benchmark.
fn read_envelope(data: &JsValue) -> Result<WithModel<FromWorker>, String> {
    let json = Reflect::get(data, &"json".into())
        .ok()
        .and_then(|v| v.as_string())
        .ok_or("the training worker sent a message without JSON")?;
    let message = serde_json::from_str::<FromWorker>(&json)
        .map_err(|e| format!("the training worker sent an unreadable message ({e})"))?;
    let model = Reflect::get(data, &"model".into())
        .ok()
        .and_then(|v| v.dyn_into::<Uint8Array>().ok())
        .map(|bytes| bytes.to_vec());
    if let Some(memory) = Reflect::get(data, &"memory".into())
        .ok()
        .and_then(|v| v.as_f64())
        && let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-worker-memory", &memory.to_string());
    }
    Ok((message, model))
}

// ---- The worker's side --------------------------------------------------------------------

/// Runs in the worker instead of mounting the page: listens for one job, runs it, reports.
pub fn worker_main() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        post(&FromWorker::Crashed(info.to_string()), None);
    }));
    let stop = Rc::new(Cell::new(false));
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let data = event.data();
            let json = Reflect::get(&data, &"json".into())
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default();
            match serde_json::from_str::<ToWorker>(&json) {
                Ok(ToWorker::Stop) => stop.set(true),
                Ok(ToWorker::Start { job, compute }) => {
                    let bytes = |name: &str| {
                        Reflect::get(&data, &name.into())
                            .ok()
                            .and_then(|v| v.dyn_into::<Uint8Array>().ok())
                            .map(|a| a.to_vec())
                            .unwrap_or_default()
                    };
                    let (pixels, labels) = (bytes("pixels"), bytes("labels"));
                    let stop = stop.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let (outcome, model) = match FashionMnist::from_pixels(pixels, labels) {
                            Err(e) => (
                                JobOutcome::Failed(format!("the worker got broken data: {e}")),
                                None,
                            ),
                            Ok(data) => run(&job, &data, compute, &stop).await,
                        };
                        post(&FromWorker::Done(outcome), model);
                    });
                }
                Err(e) => post(
                    &FromWorker::Crashed(format!("unreadable message ({e})")),
                    None,
                ),
            }
        });
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&FromWorker::Loaded, None);
}

async fn run(
    job: &Job,
    data: &FashionMnist,
    compute: Compute,
    stop: &Cell<bool>,
) -> WithModel<JobOutcome> {
    let backend = worker_backend(compute).await;
    post(
        &FromWorker::Ready {
            compute: backend.compute,
            note: backend.note.clone(),
        },
        None,
    );
    run_job(
        job,
        data,
        &backend.device,
        || TimeoutFuture::new(0),
        || stop.get(),
        |(event, model)| post(&FromWorker::Event(event), model),
    )
    .await
}

/// Posts `message` to the page, moving `model` along, with this worker's memory size.
fn post(message: &FromWorker, model: Option<Vec<u8>>) {
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let envelope = Object::new();
    let json = serde_json::to_string(message).unwrap_or_default();
    let _ = Reflect::set(&envelope, &"json".into(), &json.into());
    let memory = wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|m| {
            m.buffer()
                .unchecked_into::<js_sys::ArrayBuffer>()
                .byte_length()
        })
        .unwrap_or(0);
    let _ = Reflect::set(&envelope, &"memory".into(), &f64::from(memory).into());
    let transfer = Array::new();
    if let Some(bytes) = model {
        let array = Uint8Array::from(&bytes[..]);
        let _ = Reflect::set(&envelope, &"model".into(), &array);
        transfer.push(&array.buffer());
    }
    let _ = scope.post_message_with_transfer(&envelope, &transfer);
}
