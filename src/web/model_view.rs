//! The model in use: what it is, and saving it to a file or loading one back.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

use super::model_store::{download, forget_latest, load_pretrained, read_file, store_latest};
use super::state::{ActiveModel, use_lab};
use crate::model::saved::{decode_model, encode_model};

#[component]
pub fn ModelView() -> impl IntoView {
    let lab = use_lab();
    let message = RwSignal::new(None::<(bool, String)>); // (is_error, text)
    let busy = RwSignal::new(false);

    let save = move |_| {
        let Some(active) = lab.model.get_untracked() else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            match encode_model(&active.model, &active.info).await {
                Ok(bytes) => match download(&bytes, "fashion-lab-model.bpk") {
                    Ok(()) => message.set(Some((
                        false,
                        format!("Saved {} ({} kB).", active.info.name, bytes.len() / 1000),
                    ))),
                    Err(e) => {
                        message.set(Some((true, format!("The file could not be offered: {e}"))))
                    }
                },
                Err(e) => message.set(Some((true, e.to_string()))),
            }
            busy.set(false);
        });
    };

    let load = move |ev: leptos::ev::Event| {
        let input: Option<HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
        let Some(input) = input else { return };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        let Some(device) = lab.device() else { return };
        busy.set(true);
        spawn_local(async move {
            let name = file.name();
            let loaded = match read_file(&file).await {
                Ok(bytes) => decode_model(&bytes, &device).map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
            match loaded {
                Ok((model, info)) => {
                    let stored = store_latest(&model, &info).await;
                    let text = format!("Loaded {name}: {}.", info.name);
                    lab.model.set(Some(Rc::new(ActiveModel {
                        model,
                        info,
                        source: match stored {
                            Ok(_) => format!("loaded from {name}, kept in this browser's storage"),
                            Err(e) => format!("loaded from {name}; not kept across reloads: {e}"),
                        },
                    })));
                    message.set(Some((false, text)));
                }
                Err(e) => message.set(Some((
                    true,
                    format!("{name} was not loaded: {e}. The model in use is unchanged."),
                ))),
            }
            busy.set(false);
        });
    };

    let use_pretrained = move |_| {
        let Some(device) = lab.device() else { return };
        busy.set(true);
        spawn_local(async move {
            match load_pretrained(&device).await {
                Ok(active) => {
                    let _ = forget_latest().await;
                    message.set(Some((false, "Using the pretrained model again.".into())));
                    lab.model.set(Some(Rc::new(active)));
                }
                Err(e) => message.set(Some((true, e))),
            }
            busy.set(false);
        });
    };

    view! {
        <section id="model">
            <h2>"7. The model in use"</h2>
            <p class="explain">
                "The site ships model 4 trained natively on the 49,000 training images. A model you "
                "train or load replaces it and is kept in this browser until you switch back."
            </p>
            <p>
                <strong>"In use: "</strong>
                <span id="active-model">{move || lab.model.with(|m| m.as_ref().map(|m| m.description()))}</span>
            </p>
            <p class="model-trained">{move || lab.model.with(|m| m.as_ref().map(|m| format!("Training: {}.", m.info.trained)))}</p>
            <div class="controls">
                <button id="save-model" on:click=save disabled=move || busy.get() || lab.model.with(Option::is_none)>
                    "Save model to a file"
                </button>
                <label for="load-model">"Load a model file: "</label>
                <input id="load-model" type="file" accept=".bpk,application/octet-stream" on:change=load disabled=move || busy.get()/>
                <button id="use-pretrained" on:click=use_pretrained disabled=move || busy.get()>
                    "Use the pretrained model"
                </button>
            </div>
            <p id="model-message" class:error=move || message.with(|m| m.as_ref().is_some_and(|m| m.0))>
                {move || message.get().map(|m| m.1)}
            </p>
        </section>
    }
}
