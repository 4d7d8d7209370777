//! Keeps the study in the browser's local storage, so a reload or a closed tab never loses
//! finished runs.

use wasm_bindgen::JsValue;

use super::backend::js_error;
use crate::study::StudyResults;

const KEY: &str = "fashion-lab-study";
/// The study that was shown before another was opened in its place.
const PREVIOUS_KEY: &str = "fashion-lab-study-previous";

fn storage() -> Result<web_sys::Storage, String> {
    web_sys::window()
        .ok_or("no window")?
        .local_storage()
        .map_err(|e| format!("browser storage is blocked: {}", js_error(&e)))?
        .ok_or_else(|| "this browser offers no local storage".to_string())
}

/// The stored study, with runs that were training when the page went away marked interrupted.
pub fn load_study() -> Result<Option<StudyResults>, String> {
    load(KEY)
}

/// The study kept by [`keep_as_previous`], if any.
pub fn load_previous_study() -> Result<Option<StudyResults>, String> {
    load(PREVIOUS_KEY)
}

/// Keeps `results` aside before another study replaces it on the page, so opening a file or
/// the reference study never loses one (only the latest replaced study is kept).
pub fn keep_as_previous(results: &StudyResults) -> Result<(), String> {
    if results.runs.is_empty() {
        return Ok(());
    }
    storage()?
        .set_item(PREVIOUS_KEY, &results.to_json())
        .map_err(|e| storage_error(&e))
}

fn load(key: &str) -> Result<Option<StudyResults>, String> {
    let Some(text) = storage()?
        .get_item(key)
        .map_err(|e| format!("browser storage is blocked: {}", js_error(&e)))?
    else {
        return Ok(None);
    };
    let mut results = StudyResults::from_json(&text)
        .map_err(|e| format!("the stored study could not be read ({e}); it was left as it is"))?;
    results.mark_interrupted();
    Ok(Some(results))
}

/// Stores `results`, replacing the stored study in one write (a failed write leaves the old one
/// whole).
pub fn save_study(results: &StudyResults) -> Result<(), String> {
    storage()?
        .set_item(KEY, &results.to_json())
        .map_err(|e| storage_error(&e))
}

/// Forgets the stored study.
pub fn clear_study() -> Result<(), String> {
    storage()?
        .remove_item(KEY)
        .map_err(|e| format!("browser storage is blocked: {}", js_error(&e)))
}

fn storage_error(error: &JsValue) -> String {
    let text = js_error(error);
    if text.contains("Quota") || text.contains("quota") {
        "the browser's storage is full: the study was not saved (export it as JSON to keep it)"
            .into()
    } else {
        format!("the study could not be saved ({text}); export it as JSON to keep it")
    }
}
