//! What the views share: the loaded data, the compute backend and the model in use.
//! Handles are `Copy` signals, so every view can hold them.

use std::rc::Rc;

use crate::data::fashion_mnist::FashionMnist;
use crate::data::split::Split;
use crate::model::Cnn;
use crate::model::saved::ModelInfo;
use burn::tensor::Device;
use leptos::prelude::*;

use super::backend::Backend;

/// The data set, split, and how long it took to get ready.
pub struct LoadedData {
    pub data: FashionMnist,
    pub split: Split,
    /// Milliseconds from the last byte arriving to the split being ready.
    pub parse_ms: f64,
}

/// The model that classifies drawings and uploads, and where it came from.
pub struct ActiveModel {
    pub model: Cnn,
    pub info: ModelInfo,
    /// Where this copy came from, in words ("shipped with the site", ...).
    pub source: String,
}

impl ActiveModel {
    /// One line for the page: name, accuracy, origin.
    pub fn description(&self) -> String {
        let accuracy = match (self.info.test_accuracy, self.info.validation_accuracy) {
            (Some(test), _) => format!(", test accuracy {:.1}%", test * 100.0),
            (None, Some(validation)) => format!(", validation accuracy {:.1}%", validation * 100.0),
            (None, None) => String::new(),
        };
        format!("{}{accuracy} ({})", self.info.name, self.source)
    }
}

#[derive(Clone, Copy)]
pub struct Lab {
    pub data: RwSignal<Option<Rc<LoadedData>>, LocalStorage>,
    pub backend: RwSignal<Option<Rc<Backend>>, LocalStorage>,
    pub model: RwSignal<Option<Rc<ActiveModel>>, LocalStorage>,
    /// The 4-conv representation model the filter and activation pictures show.
    pub representation: RwSignal<Option<Rc<ActiveModel>>, LocalStorage>,
    /// The latest drawn or uploaded 28x28 input, and where it came from.
    pub last_input: RwSignal<Option<(String, Vec<u8>)>>,
}

impl Lab {
    pub fn new() -> Self {
        Self {
            data: RwSignal::new_local(None),
            backend: RwSignal::new_local(None),
            model: RwSignal::new_local(None),
            representation: RwSignal::new_local(None),
            last_input: RwSignal::new(None),
        }
    }

    /// The device of the current backend, once it is initialised.
    pub fn device(&self) -> Option<Device> {
        self.backend.with(|b| b.as_ref().map(|b| b.device.clone()))
    }
}

/// The shared state, provided by the app's root.
pub fn use_lab() -> Lab {
    use_context::<Lab>().unwrap_or_else(Lab::new)
}
