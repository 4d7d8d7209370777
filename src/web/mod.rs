//! The web layer: a Leptos page over the core. It fetches bytes, paints pixels and forwards
//! clicks; every computation on data or tensors is a call into the core.

mod app;
mod backend;
mod canvas;
mod classify_view;
mod data_view;
mod download;
mod image_decode;
mod model_store;
mod model_view;
mod representations_view;
mod state;
mod study_charts;
mod study_store;
mod study_view;
mod train_view;
mod upload_view;
mod worker;

/// Mounts the app on the page's body; in a training worker, runs the worker instead.
pub fn start() {
    if worker::in_worker() {
        worker::worker_main();
        return;
    }
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
