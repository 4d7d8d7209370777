//! Picks the compute backend once, at start, and says which and why: WebGPU (burn-wgpu) when
//! the browser offers a hardware adapter; the CPU (burn-flex) when it offers none, or only a
//! software one (SwiftShader and the like run WebGPU on the CPU, measured ~20x slower than the
//! CPU backend here). `?backend=webgpu` or `?backend=cpu` in the address overrides the choice
//! (the page offers it as a link); `?backend=ndarray` runs burn-ndarray, for comparison.

use burn::tensor::Device;

use crate::job::Compute;
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
    pub compute: Compute,
    /// One sentence for the page: what runs where, and why.
    pub note: String,
    /// The other backend the person may switch to: link text and the `?backend=` value.
    pub switch: Option<(&'static str, &'static str)>,
}

/// Initialises the page's backend.
pub async fn init_backend() -> Backend {
    let requested = query_param("backend");
    if let Some(compute @ (Compute::Flex | Compute::Ndarray)) =
        requested.as_deref().and_then(cpu_request)
    {
        let mut backend = cpu(
            compute,
            format!(
                "CPU ({}), chosen by ?backend={} in the address.",
                compute.crate_name(),
                requested.as_deref().unwrap_or_default()
            ),
        );
        backend.switch = Some(("Let the page choose", "auto"));
        return backend;
    }
    let adapter = match webgpu_adapter().await {
        Ok(adapter) => adapter,
        Err(reason) => {
            return cpu(
                Compute::Flex,
                format!("CPU fallback (burn-flex): WebGPU is not available here ({reason})."),
            );
        }
    };
    if adapter.software && requested.as_deref() != Some("webgpu") {
        let mut backend = cpu(
            Compute::Flex,
            format!(
                "CPU (burn-flex), chosen automatically: the WebGPU adapter here ({}) is a \
             software renderer, on which training runs about 20 times slower than on the CPU.",
                adapter.description
            ),
        );
        backend.switch = Some(("Use WebGPU anyway", "webgpu"));
        return backend;
    }
    match Device::wgpu_options().init_async().await {
        Ok(device) => Backend {
            device,
            kind: BackendKind::WebGpu,
            compute: Compute::WebGpu,
            note: if adapter.software {
                format!(
                    "WebGPU (burn-wgpu) on {}, a software renderer, chosen by ?backend=webgpu \
                     in the address.",
                    adapter.description
                )
            } else {
                format!("WebGPU (burn-wgpu) on {}.", adapter.description)
            },
            switch: Some(("Use the CPU", "cpu")),
        },
        Err(e) => cpu(
            Compute::Flex,
            format!("CPU fallback (burn-flex): WebGPU failed to start ({e})."),
        ),
    }
}

/// `?backend=` values that ask for a CPU backend.
fn cpu_request(value: &str) -> Option<Compute> {
    match value {
        "cpu" | "flex" => Some(Compute::Flex),
        "ndarray" => Some(Compute::Ndarray),
        _ => None,
    }
}

/// Initialises a training worker's backend: the page's, when the worker has it too (WebGPU
/// may be missing in workers), else the CPU, with a note that says which and why.
pub async fn worker_backend(compute: Compute) -> Backend {
    if compute != Compute::WebGpu {
        return cpu(
            compute,
            format!("CPU ({}), as in the page.", compute.crate_name()),
        );
    }
    if let Err(reason) = webgpu_adapter().await {
        return cpu(
            Compute::Flex,
            format!(
                "CPU (burn-flex): WebGPU is not available in this browser's workers ({reason})."
            ),
        );
    }
    match Device::wgpu_options().init_async().await {
        Ok(device) => Backend {
            device,
            kind: BackendKind::WebGpu,
            compute: Compute::WebGpu,
            note: "WebGPU (burn-wgpu), as in the page.".into(),
            switch: None,
        },
        Err(e) => cpu(
            Compute::Flex,
            format!("CPU (burn-flex): WebGPU failed to start in the worker ({e})."),
        ),
    }
}

fn cpu(compute: Compute, note: String) -> Backend {
    Backend {
        device: compute.cpu_device().unwrap_or_else(Device::flex),
        kind: BackendKind::Cpu,
        compute,
        note,
        switch: None,
    }
}

/// A WebGPU adapter, as the browser describes it.
struct Adapter {
    description: String,
    /// A software renderer (the browser says it is a fallback adapter, or it is SwiftShader,
    /// llvmpipe or another known CPU implementation).
    software: bool,
}

/// Asks the browser (the page's or a worker's) for a WebGPU adapter; describes it, or says
/// why there is none.
async fn webgpu_adapter() -> Result<Adapter, String> {
    let navigator =
        Reflect::get(&js_sys::global(), &"navigator".into()).map_err(|_| "no navigator")?;
    let gpu = Reflect::get(&navigator, &"gpu".into()).unwrap_or(JsValue::UNDEFINED);
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
    // `info.isFallbackAdapter` (newer browsers) or `adapter.isFallbackAdapter` (older).
    let fallback = [&info, &adapter].into_iter().any(|object| {
        Reflect::get(object, &"isFallbackAdapter".into())
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    });
    let named = [
        field("vendor"),
        field("architecture"),
        field("description"),
        field("device"),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    Ok(Adapter {
        software: fallback || is_software_renderer(&named),
        description: if description.is_empty() {
            "the browser's adapter".into()
        } else {
            format!("adapter \"{description}\"")
        },
    })
}

/// Whether an adapter's self-description names a CPU implementation of the GPU APIs.
fn is_software_renderer(described: &str) -> bool {
    let described = described.to_ascii_lowercase();
    [
        "swiftshader",
        "llvmpipe",
        "lavapipe",
        "softpipe",
        "microsoft basic render",
    ]
    .iter()
    .any(|name| described.contains(name))
}

/// The page's address with `?backend=` set to `value` ("auto" removes it), other query
/// parameters kept.
pub fn address_with_backend(value: &str) -> Option<String> {
    let location = web_sys::window()?.location();
    let params = web_sys::UrlSearchParams::new_with_str(&location.search().ok()?).ok()?;
    if value == "auto" {
        params.delete("backend");
    } else {
        params.set("backend", value);
    }
    let query = String::from(params.to_string());
    let path = location.pathname().ok()?;
    Some(if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    })
}

/// The value of `name` in the page's query string.
pub fn query_param(name: &str) -> Option<String> {
    let location = Reflect::get(&js_sys::global(), &"location".into()).ok()?;
    let search = Reflect::get(&location, &"search".into())
        .ok()?
        .as_string()?;
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
