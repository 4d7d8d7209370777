//! Picks the compute backend once, at start: WebGPU (burn-wgpu) when the browser offers an
//! adapter, else the CPU (burn-ndarray), and says which and why.

use burn::tensor::Device;
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    WebGpu,
    Cpu,
}

impl BackendKind {
    pub fn label(self) -> &'static str {
        match self {
            BackendKind::WebGpu => "WebGPU",
            BackendKind::Cpu => "CPU",
        }
    }
}

pub struct Backend {
    pub device: Device,
    pub kind: BackendKind,
    /// One sentence for the page: what runs where, and why.
    pub note: String,
}

/// Initialises the backend. `?backend=cpu` in the page's URL forces the CPU.
pub async fn init_backend() -> Backend {
    if query_param("backend").as_deref() == Some("cpu") {
        return cpu("CPU (burn-ndarray), chosen by ?backend=cpu in the address.".into());
    }
    let adapter = match webgpu_adapter().await {
        Ok(adapter) => adapter,
        Err(reason) => {
            return cpu(format!(
                "CPU fallback (burn-ndarray): WebGPU is not available here ({reason})."
            ));
        }
    };
    match Device::wgpu_options().init_async().await {
        Ok(device) => Backend {
            device,
            kind: BackendKind::WebGpu,
            note: format!("WebGPU (burn-wgpu) on {adapter}."),
        },
        Err(e) => cpu(format!(
            "CPU fallback (burn-ndarray): WebGPU failed to start ({e})."
        )),
    }
}

#[allow(deprecated)] // burn 0.22 deprecates ndarray in favour of flex; the brief names ndarray.
fn cpu(note: String) -> Backend {
    Backend {
        device: Device::ndarray(),
        kind: BackendKind::Cpu,
        note,
    }
}

/// Asks the browser for a WebGPU adapter; describes it, or says why there is none.
async fn webgpu_adapter() -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let gpu = Reflect::get(&window.navigator(), &"gpu".into()).unwrap_or(JsValue::UNDEFINED);
    if gpu.is_undefined() || gpu.is_null() {
        return Err("this browser has no navigator.gpu".into());
    }
    let request: Function = Reflect::get(&gpu, &"requestAdapter".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or("navigator.gpu.requestAdapter is missing")?;
    let promise: Promise = request
        .call0(&gpu)
        .ok()
        .and_then(|p| p.dyn_into().ok())
        .ok_or("requestAdapter did not return a promise")?;
    let adapter = JsFuture::from(promise)
        .await
        .map_err(|e| format!("requestAdapter failed: {}", js_error(&e)))?;
    if adapter.is_null() || adapter.is_undefined() {
        return Err("the browser offers no WebGPU adapter".into());
    }
    let info = Reflect::get(&adapter, &"info".into()).unwrap_or(JsValue::UNDEFINED);
    let field = |name: &str| {
        Reflect::get(&info, &name.into())
            .ok()
            .and_then(|v| v.as_string())
            .filter(|s| !s.is_empty())
    };
    let description = [field("vendor"), field("architecture")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    Ok(if description.is_empty() {
        "the browser's adapter".into()
    } else {
        format!("adapter \"{description}\"")
    })
}

/// The value of `name` in the page's query string.
pub fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}

/// A readable message for a JavaScript error value.
pub fn js_error(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}
