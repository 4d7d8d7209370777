//! Painting grey images onto canvases.

use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

/// The canvas's 2D context.
pub fn context_2d(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok()??.dyn_into().ok()
}

/// Paints RGBA pixels at the canvas's own resolution.
pub fn paint_rgba(canvas: &HtmlCanvasElement, rgba: &[u8], width: u32, height: u32) {
    canvas.set_width(width);
    canvas.set_height(height);
    let Some(context) = context_2d(canvas) else {
        return;
    };
    if let Ok(image) = ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), width, height) {
        let _ = context.put_image_data(&image, 0.0, 0.0);
    }
}

/// Paints `grey` (`width * height` bytes, 0 = black) at the canvas's own resolution; CSS
/// scales it up with `image-rendering: pixelated`.
pub fn paint_grey(canvas: &HtmlCanvasElement, grey: &[u8], width: u32, height: u32) {
    let rgba: Vec<u8> = grey.iter().flat_map(|&g| [g, g, g, 255]).collect();
    paint_rgba(canvas, &rgba, width, height);
}
