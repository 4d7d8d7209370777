//! Upload photos (file picker or drag-and-drop, several at once): each gets its 28x28 input
//! and the model's answer, or a plain message saying why it could not be used.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use web_sys::{DragEvent, File, FileList, HtmlCanvasElement, HtmlInputElement};

use super::canvas::paint_grey;
use super::classify_view::Probabilities;
use super::image_decode::decode_upload;
use super::state::use_lab;
use crate::data::fashion_mnist::CLASS_NAMES;
use crate::data::idx::IMAGE_SIDE;
use crate::inference::class_probabilities;
use crate::preprocess::preprocess_rgba;

/// One uploaded file's result.
#[derive(Clone)]
struct UploadResult {
    id: usize,
    file_name: String,
    outcome: Result<Classified, String>,
}

#[derive(Clone)]
struct Classified {
    original: HtmlCanvasElement,
    original_size: (u32, u32),
    input: Vec<u8>,
    probabilities: Vec<f32>,
}

#[component]
pub fn UploadView() -> impl IntoView {
    let lab = use_lab();
    let results = RwSignal::new_local(Vec::<UploadResult>::new());
    let busy = RwSignal::new(0usize);
    let dragging = RwSignal::new(false);
    let next_id = StoredValue::new(0usize);

    let handle_files = move |files: Option<FileList>| {
        let Some(files) = files else { return };
        let files: Vec<File> = (0..files.length()).filter_map(|i| files.get(i)).collect();
        if files.is_empty() {
            return;
        }
        results.set(Vec::new());
        busy.update(|b| *b += files.len());
        spawn_local(async move {
            for file in files {
                let id = next_id.get_value();
                next_id.set_value(id + 1);
                let outcome = classify_file(&file, lab.model.get_untracked()).await;
                if let Ok(classified) = &outcome {
                    lab.last_input.set(Some((
                        format!("upload {}", file.name()),
                        classified.input.clone(),
                    )));
                }
                results.update(|r| {
                    r.push(UploadResult {
                        id,
                        file_name: file.name(),
                        outcome,
                    })
                });
                busy.update(|b| *b -= 1);
            }
        });
    };

    let on_pick = move |ev: leptos::ev::Event| {
        let input: Option<HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
        if let Some(input) = input {
            handle_files(input.files());
            input.set_value("");
        }
    };
    let on_drop = move |ev: DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        handle_files(ev.data_transfer().and_then(|d| d.files()));
    };

    let rows = move || {
        results
            .get()
            .into_iter()
            .map(|r| view! { <ResultRow result=r/> })
            .collect_view()
    };

    view! {
        <section id="upload">
            <h2>"2. Classify photos"</h2>
            <p class="explain">
                "Upload shop-style photos (PNG, JPEG, WebP or GIF, any size): a garment on a plain "
                "background. Each is prepared like the drawing above; large photos are shrunk "
                "first so the page stays quick."
            </p>
            <div
                class="drop-zone"
                class:dragging=move || dragging.get()
                on:dragover=move |ev: DragEvent| {
                    ev.prevent_default();
                    dragging.set(true);
                }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop
            >
                <label for="upload-input">"Choose photos or drop them here: "</label>
                <input id="upload-input" type="file" accept="image/*" multiple on:change=on_pick/>
            </div>
            <p id="upload-status" aria-live="polite">
                {move || match busy.get() {
                    0 => String::new(),
                    n => format!("Classifying {n} file(s)…"),
                }}
            </p>
            <ul id="upload-results" class="upload-results">{rows}</ul>
        </section>
    }
}

/// Decodes, prepares and classifies one file.
async fn classify_file(
    file: &File,
    model: Option<std::rc::Rc<super::state::ActiveModel>>,
) -> Result<Classified, String> {
    let model = model.ok_or("the model is still loading; try again in a moment")?;
    let image = decode_upload(file).await?;
    let input = preprocess_rgba(&image.rgba, image.width as usize, image.height as usize)
        .map_err(|e| e.to_string())?;
    let probabilities = class_probabilities(&model.model, &input.pixels)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Classified {
        original: image.canvas,
        original_size: image.original,
        input: input.pixels,
        probabilities,
    })
}

#[component]
fn ResultRow(result: UploadResult) -> impl IntoView {
    let name = result.file_name.clone();
    match result.outcome {
        Err(message) => view! {
            <li class="upload-error" data-file=name data-id=result.id>
                <strong>{result.file_name}</strong>
                <span class="error">{format!(": {message}.")}</span>
            </li>
        }
        .into_any(),
        Ok(classified) => {
            let holder = NodeRef::<leptos::html::Div>::new();
            let original = classified.original.clone();
            holder.on_load(move |div| {
                original.set_class_name("upload-original");
                let _ = div.append_child(&original);
            });
            let input_canvas = NodeRef::<leptos::html::Canvas>::new();
            let pixels = classified.input.clone();
            input_canvas
                .on_load(move |c| paint_grey(&c, &pixels, IMAGE_SIDE as u32, IMAGE_SIDE as u32));
            let probs = classified.probabilities.clone();
            let best = probs
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map(|(i, &p)| (i, p))
                .unwrap_or((0, 0.0));
            let (w, h) = classified.original_size;
            view! {
                <li class="upload-ok" data-file=name data-class=best.0 data-prob=best.1>
                    <div class="upload-images">
                        <div node_ref=holder title=format!("original, {w}x{h} pixels")></div>
                        <canvas node_ref=input_canvas class="pixels" aria-label="28x28 model input"></canvas>
                    </div>
                    <div>
                        <p>
                            <strong>{result.file_name}</strong>
                            {format!(" ({w}x{h}): {} ({:.1}%)", CLASS_NAMES[best.0], best.1 * 100.0)}
                        </p>
                        <Probabilities values=Signal::stored(probs)/>
                    </div>
                </li>
            }
            .into_any()
        }
    }
}
