//! Fetches a file's bytes, reporting progress as chunks arrive.

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::Response;

use super::backend::js_error;

/// Downloads `url`; `on_progress(received, total)` runs after every chunk (`total` from the
/// Content-Length header, when the server sends one).
pub async fn fetch_bytes(
    url: &str,
    on_progress: impl Fn(u64, Option<u64>),
) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response: Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| format!("could not reach the server ({})", js_error(&e)))?
        .dyn_into()
        .map_err(|_| "the server's answer is not a response".to_string())?;
    if !response.ok() {
        return Err(format!(
            "HTTP {} {}",
            response.status(),
            response.status_text()
        ));
    }
    let total = response
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|s| s.parse::<u64>().ok());
    let body = response.body().ok_or("the response has no body")?;
    let reader = body.get_reader();
    let read: js_sys::Function = Reflect::get(&reader, &"read".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or("the body cannot be read")?;
    let mut bytes = Vec::with_capacity(total.unwrap_or(0) as usize);
    loop {
        let promise: js_sys::Promise = read
            .call0(&reader)
            .ok()
            .and_then(|p| p.dyn_into().ok())
            .ok_or("the body cannot be read")?;
        let chunk = JsFuture::from(promise)
            .await
            .map_err(|e| format!("the download broke off ({})", js_error(&e)))?;
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
            .ok_or("the download sent something that is not bytes")?;
        let start = bytes.len();
        bytes.resize(start + value.length() as usize, 0);
        value.copy_to(&mut bytes[start..]);
        on_progress(bytes.len() as u64, total);
    }
    Ok(bytes)
}
