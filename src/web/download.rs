//! Fetches a file's bytes, reporting progress as chunks arrive, and keeps verified data files
//! in the browser's storage (Cache API) so that the page works offline after one visit.

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Cache, Response};

use super::backend::js_error;
use crate::data::download_fault::{DownloadFault, status_fault};

/// Where verified data files are kept. Not touched by the service worker's deploy clean-up:
/// the data files never change between deploys.
const DATA_CACHE: &str = "fashion-lab-data-v1";

/// Downloads `url`; `on_progress(received, total)` runs after every chunk (`total` from the
/// Content-Length header, when the server sends one).
pub async fn fetch_bytes(
    url: &str,
    on_progress: impl Fn(u64, Option<u64>),
) -> Result<Vec<u8>, String> {
    fetch_checked(url, on_progress)
        .await
        .map(|(bytes, _)| bytes)
        .map_err(|e| e.to_string())
}

/// Downloads `url` and returns its bytes with the length the server announced for them (its
/// Content-Length, unless the body was re-encoded on the way, when the header counts other
/// bytes). Every failure is a [`DownloadFault`].
pub async fn fetch_checked(
    url: &str,
    on_progress: impl Fn(u64, Option<u64>),
) -> Result<(Vec<u8>, Option<u64>), DownloadFault> {
    let window = web_sys::window().ok_or(DownloadFault::Unreachable("no window".into()))?;
    let response: Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| DownloadFault::Unreachable(js_error(&e)))?
        .dyn_into()
        .map_err(|_| DownloadFault::Unreachable("the answer is not a response".into()))?;
    if let Some(fault) = status_fault(response.status()) {
        return Err(fault);
    }
    let headers = response.headers();
    let header = |name: &str| headers.get(name).ok().flatten();
    let total = header("content-length").and_then(|s| s.trim().parse::<u64>().ok());
    let reencoded = header("content-encoding").is_some_and(|e| e.trim() != "identity");
    let expected = total.filter(|_| !reencoded);
    let broke_off = |received: usize, reason: String| DownloadFault::BrokeOff {
        received: received as u64,
        expected,
        reason,
    };
    let body = response
        .body()
        .ok_or_else(|| broke_off(0, "the response has no body".into()))?;
    let reader = body.get_reader();
    let read: js_sys::Function = Reflect::get(&reader, &"read".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| broke_off(0, "the body cannot be read".into()))?;
    let mut bytes = Vec::with_capacity(expected.unwrap_or(0).min(64 << 20) as usize);
    loop {
        let promise: js_sys::Promise = read
            .call0(&reader)
            .ok()
            .and_then(|p| p.dyn_into().ok())
            .ok_or_else(|| broke_off(bytes.len(), "the body cannot be read".into()))?;
        let chunk = JsFuture::from(promise)
            .await
            .map_err(|e| broke_off(bytes.len(), js_error(&e)))?;
        let done = Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            break;
        }
        let value: Uint8Array = Reflect::get(&chunk, &"value".into())
            .ok()
            .and_then(|v| v.dyn_into().ok())
            .ok_or_else(|| broke_off(bytes.len(), "a chunk is not bytes".into()))?;
        let start = bytes.len();
        bytes.resize(start + value.length() as usize, 0);
        value.copy_to(&mut bytes[start..]);
        on_progress(bytes.len() as u64, total);
    }
    Ok((bytes, expected))
}

async fn data_cache() -> Option<Cache> {
    let caches = web_sys::window()?.caches().ok()?;
    JsFuture::from(caches.open(DATA_CACHE))
        .await
        .ok()?
        .dyn_into()
        .ok()
}

/// A data file kept by [`keep_data_file`] on an earlier visit, if there is one.
pub async fn kept_data_file(url: &str) -> Option<Vec<u8>> {
    let cache = data_cache().await?;
    let response: Response = JsFuture::from(cache.match_with_str(url))
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    let buffer = JsFuture::from(response.array_buffer().ok()?).await.ok()?;
    Some(Uint8Array::new(&buffer).to_vec())
}

/// Keeps a verified data file for offline use. Storage that is full or blocked only costs the
/// offline copy: the message says so, and nothing already kept is touched.
pub async fn keep_data_file(url: &str, bytes: &[u8]) -> Result<(), String> {
    let cache = data_cache()
        .await
        .ok_or("this browser's storage is not available")?;
    let mut copy = bytes.to_vec();
    let response = Response::new_with_opt_u8_array(Some(&mut copy)).map_err(|e| js_error(&e))?;
    JsFuture::from(cache.put_with_str(url, &response))
        .await
        .map(|_| ())
        .map_err(|e| format!("the browser's storage refused it ({})", js_error(&e)))
}

/// Forgets a kept data file (one that no longer parses).
pub async fn forget_data_file(url: &str) {
    if let Some(cache) = data_cache().await {
        let _ = JsFuture::from(cache.delete_with_str(url)).await;
    }
}
