//! The app's entry point: in the browser it mounts the page; natively it points to the README.

fn main() {
    #[cfg(target_arch = "wasm32")]
    fashion_lab::web::start();
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!(
        "Fashion Lab runs in the browser: `scripts/serve.sh` builds and serves it (see README.md)."
    );
}
