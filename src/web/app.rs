//! The page: header with the backend, then the data, training and classification views.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::backend::init_backend;
use super::classify_view::ClassifyView;
use super::data_view::DataView;
use super::state::{ActiveModel, Lab};
use super::train_view::TrainView;
use crate::model::CnnConfig;

#[component]
pub fn App() -> impl IntoView {
    let lab = Lab::new();
    provide_context(lab);
    spawn_local(async move {
        let backend = init_backend().await;
        let model = CnnConfig::model4().init(&backend.device);
        lab.model.set(Some(Rc::new(ActiveModel {
            model,
            description: "untrained model 4 (random weights): train it below".into(),
        })));
        lab.backend.set(Some(Rc::new(backend)));
    });
    let backend_label = move || {
        lab.backend.with(|b| match b {
            Some(b) => b.kind.label().to_string(),
            None => "starting…".to_string(),
        })
    };
    let backend_note = move || lab.backend.with(|b| b.as_ref().map(|b| b.note.clone()));
    view! {
        <header>
            <h1>"Fashion Lab"</h1>
            <p class="tagline">
                "A convolutional-network lab for Fashion-MNIST that runs entirely in your browser."
            </p>
            <p class="backend">
                "Backend: " <strong id="backend-name">{backend_label}</strong>
                " " <span id="backend-note">{backend_note}</span>
            </p>
        </header>
        <main>
            <DataView/>
            <TrainView/>
            <ClassifyView/>
        </main>
    }
}
