//! The page: header with the backend, then the data, training and classification views.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::backend::{address_with_backend, init_backend};
use super::classify_view::ClassifyView;
use super::data_view::DataView;
use super::model_store::{REPRESENTATION_URL, load_pretrained, load_shipped, restore_latest};
use super::model_view::ModelView;
use super::representations_view::RepresentationsView;
use super::state::{ActiveModel, Lab};
use super::study_view::StudyView;
use super::train_view::TrainView;
use super::upload_view::UploadView;
use crate::model::CnnConfig;
use crate::model::saved::ModelInfo;

#[component]
pub fn App() -> impl IntoView {
    let lab = Lab::new();
    provide_context(lab);
    spawn_local(async move {
        let backend = init_backend().await;
        let active = match restore_latest(&backend.device).await {
            Some(active) => active,
            None => match load_pretrained(&backend.device).await {
                Ok(active) => active,
                Err(reason) => untrained(&backend.device, &reason),
            },
        };
        lab.model.set(Some(Rc::new(active)));
        match load_shipped(REPRESENTATION_URL, &backend.device).await {
            Ok(representation) => lab.representation.set(Some(Rc::new(representation))),
            Err(e) => leptos::logging::warn!("{e}"),
        }
        lab.backend.set(Some(Rc::new(backend)));
    });
    let backend_label = move || {
        lab.backend.with(|b| match b {
            Some(b) => b.kind.label().to_string(),
            None => "starting…".to_string(),
        })
    };
    let backend_note = move || lab.backend.with(|b| b.as_ref().map(|b| b.note.clone()));
    let backend_switch = move || {
        lab.backend.with(|b| {
            let (text, value) = b.as_ref()?.switch?;
            let href = address_with_backend(value)?;
            Some(view! { " " <a id="backend-switch" href=href>{text}</a> })
        })
    };
    view! {
        <header>
            <h1>"Fashion Lab"</h1>
            <p class="tagline">
                "A convolutional-network lab for Fashion-MNIST that runs entirely in your browser."
            </p>
            <p class="backend">
                "Backend: " <strong id="backend-name">{backend_label}</strong>
                " " <span id="backend-note">{backend_note}</span>
                {backend_switch}
            </p>
        </header>
        <main>
            <ClassifyView/>
            <UploadView/>
            <DataView/>
            <TrainView/>
            <StudyView/>
            <RepresentationsView/>
            <ModelView/>
        </main>
    }
}

/// A randomly initialised model 4, used only when the pretrained one cannot be loaded.
fn untrained(device: &burn::tensor::Device, reason: &str) -> ActiveModel {
    let architecture = CnnConfig::model4();
    ActiveModel {
        model: architecture.init(device),
        info: ModelInfo {
            name: "untrained model 4 (random weights)".into(),
            architecture,
            epochs: 0,
            validation_accuracy: None,
            test_accuracy: None,
            trained: "not trained".into(),
        },
        source: format!("{reason}; train one below"),
    }
}
