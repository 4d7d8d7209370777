//! Where models come from and go: the pretrained file shipped with the site, the browser's
//! storage (Cache API) that keeps the latest model across reloads, and files a person saves
//! and loads.

use burn::tensor::Device;
use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, Cache, File, HtmlAnchorElement, Response, Url};

use super::backend::js_error;
use super::download::fetch_bytes;
use super::state::ActiveModel;
use crate::model::Cnn;
use crate::model::saved::{ModelInfo, decode_model, encode_model};

/// The pretrained model 4, next to the page.
pub const PRETRAINED_URL: &str = "assets/model4.bpk";
/// The pretrained representation model (4 conv layers).
pub const REPRESENTATION_URL: &str = "assets/representation.bpk";
const CACHE_NAME: &str = "fashion-lab-models";
const LATEST_KEY: &str = "saved/latest-model.bpk";

/// The model the site ships, decoded on `device`.
pub async fn load_pretrained(device: &Device) -> Result<ActiveModel, String> {
    load_shipped(PRETRAINED_URL, device).await
}

/// A model file the site ships at `url`, decoded on `device`.
pub async fn load_shipped(url: &str, device: &Device) -> Result<ActiveModel, String> {
    let bytes = fetch_bytes(url, |_, _| {})
        .await
        .map_err(|e| format!("the pretrained model ({url}) could not be downloaded: {e}"))?;
    let (model, info) =
        decode_model(&bytes, device).map_err(|e| format!("the pretrained model: {e}"))?;
    Ok(ActiveModel {
        model,
        info,
        source: "shipped with the site".into(),
    })
}

/// The latest model kept in the browser's storage, if there is a readable one.
pub async fn restore_latest(device: &Device) -> Option<ActiveModel> {
    let bytes = read_latest().await.ok()??;
    let (model, info) = decode_model(&bytes, device).ok()?;
    Some(ActiveModel {
        model,
        info,
        source: "restored from this browser's storage".into(),
    })
}

/// Keeps `model` as the latest in the browser's storage; returns the file's bytes.
pub async fn store_latest(model: &Cnn, info: &ModelInfo) -> Result<Vec<u8>, String> {
    let mut bytes = encode_model(model, info).await.map_err(|e| e.to_string())?;
    let cache = open_cache().await?;
    let response = Response::new_with_opt_u8_array(Some(&mut bytes))
        .map_err(|e| format!("browser storage: {}", js_error(&e)))?;
    JsFuture::from(cache.put_with_str(LATEST_KEY, &response))
        .await
        .map_err(|e| format!("browser storage refused the model: {}", js_error(&e)))?;
    Ok(bytes)
}

/// Forgets the stored model (the pretrained one is used after a reload).
pub async fn forget_latest() -> Result<(), String> {
    let cache = open_cache().await?;
    JsFuture::from(cache.delete_with_str(LATEST_KEY))
        .await
        .map(|_| ())
        .map_err(|e| format!("browser storage: {}", js_error(&e)))
}

async fn read_latest() -> Result<Option<Vec<u8>>, String> {
    let cache = open_cache().await?;
    let found = JsFuture::from(cache.match_with_str(LATEST_KEY))
        .await
        .map_err(|e| js_error(&e))?;
    let Ok(response) = found.dyn_into::<Response>() else {
        return Ok(None);
    };
    let buffer = JsFuture::from(response.array_buffer().map_err(|e| js_error(&e))?)
        .await
        .map_err(|e| js_error(&e))?;
    Ok(Some(Uint8Array::new(&buffer).to_vec()))
}

async fn open_cache() -> Result<Cache, String> {
    let window = web_sys::window().ok_or("no window")?;
    let caches = window
        .caches()
        .map_err(|e| format!("browser storage is not available: {}", js_error(&e)))?;
    JsFuture::from(caches.open(CACHE_NAME))
        .await
        .map_err(|e| format!("browser storage is not available: {}", js_error(&e)))?
        .dyn_into()
        .map_err(|_| "browser storage answered oddly".to_string())
}

/// Offers `bytes` to the person as a downloaded file.
pub fn download(bytes: &[u8], file_name: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&Uint8Array::from(bytes));
    let options = BlobPropertyBag::new();
    options.set_type("application/octet-stream");
    let blob =
        Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(|e| js_error(&e))?;
    let url = Url::create_object_url_with_blob(&blob).map_err(|e| js_error(&e))?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let anchor: HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| js_error(&e))?
        .dyn_into()
        .map_err(|_| "could not create a link".to_string())?;
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.click();
    let _ = Url::revoke_object_url(&url);
    Ok(())
}

/// The bytes of a file the person picked.
pub async fn read_file(file: &File) -> Result<Vec<u8>, String> {
    let buffer: ArrayBuffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| format!("{} could not be read: {}", file.name(), js_error(&e)))?
        .dyn_into()
        .map_err(|_| format!("{} could not be read", file.name()))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}
