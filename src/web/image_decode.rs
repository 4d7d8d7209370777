//! Decodes an uploaded image with the browser's own decoders (PNG, JPEG, WebP, GIF's first
//! frame, 8- or 16-bit, with or without alpha) and shrinks large ones before any pixel work.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{File, HtmlCanvasElement, ImageBitmap, ImageBitmapOptions, ResizeQuality};

use super::canvas::context_2d;

/// Longest side the page works with; a 6000x4000 photo is shrunk (high quality) to this first.
const MAX_SIDE: u32 = 1024;

/// An uploaded image on a canvas, and its RGBA pixels.
pub struct DecodedImage {
    pub canvas: HtmlCanvasElement,
    pub rgba: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// Size of the file's image before shrinking.
    pub original: (u32, u32),
}

/// Decodes `file`; the error says in plain words why it is not a usable image.
pub async fn decode_upload(file: &File) -> Result<DecodedImage, String> {
    if file.size() == 0.0 {
        return Err("the file is empty".into());
    }
    let kind = file.type_();
    if !kind.is_empty() && !kind.starts_with("image/") {
        return Err(format!(
            "unsupported format ({kind}): upload a PNG, JPEG, WebP or GIF image"
        ));
    }
    if kind == "image/svg+xml" {
        return Err("unsupported format (SVG): upload a PNG, JPEG, WebP or GIF image".into());
    }
    let window = web_sys::window().ok_or("no window")?;
    let decode_error =
        |_| "not an image the browser can decode (is the file damaged or mislabelled?)".to_string();
    let bitmap: ImageBitmap = JsFuture::from(
        window
            .create_image_bitmap_with_blob(file)
            .map_err(decode_error)?,
    )
    .await
    .map_err(decode_error)?
    .dyn_into()
    .map_err(decode_error)?;
    let original = (bitmap.width(), bitmap.height());
    if original.0 == 0 || original.1 == 0 {
        return Err("the image has no pixels".into());
    }
    let scale = (f64::from(MAX_SIDE) / f64::from(original.0.max(original.1))).min(1.0);
    let (width, height) = (
        ((f64::from(original.0) * scale).round() as u32).max(1),
        ((f64::from(original.1) * scale).round() as u32).max(1),
    );
    let bitmap = if scale < 1.0 {
        let options = ImageBitmapOptions::new();
        options.set_resize_width(width);
        options.set_resize_height(height);
        options.set_resize_quality(ResizeQuality::High);
        let promise = window
            .create_image_bitmap_with_image_bitmap_and_image_bitmap_options(&bitmap, &options)
            .map_err(decode_error)?;
        JsFuture::from(promise)
            .await
            .map_err(decode_error)?
            .dyn_into()
            .map_err(decode_error)?
    } else {
        bitmap
    };
    let document = window.document().ok_or("no document")?;
    let canvas: HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(|_| "no canvas")?
        .dyn_into()
        .map_err(|_| "no canvas")?;
    canvas.set_width(width);
    canvas.set_height(height);
    let context = context_2d(&canvas).ok_or("no 2D canvas")?;
    context
        .draw_image_with_image_bitmap_and_dw_and_dh(
            &bitmap,
            0.0,
            0.0,
            f64::from(width),
            f64::from(height),
        )
        .map_err(decode_error)?;
    bitmap.close();
    let rgba = context
        .get_image_data(0.0, 0.0, f64::from(width), f64::from(height))
        .map_err(|_| "the image's pixels cannot be read")?
        .data()
        .0;
    Ok(DecodedImage {
        canvas,
        rgba,
        width,
        height,
        original,
    })
}
