//! Turns a drawing or a photo into a 28x28 input the way Fashion-MNIST was made from shop
//! photos: grey, light garment on black, trimmed to the garment, longest side scaled to 28,
//! centred.

use thiserror::Error;

use crate::data::idx::{IMAGE_PIXELS, IMAGE_SIDE};

/// A pixel counts as garment when it is brighter than this fraction of the brightest one
/// (after the background level is removed).
const GARMENT_THRESHOLD: f32 = 0.03;

/// Why an image could not be turned into a model input.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum PreprocessError {
    #[error("the image has no pixels")]
    Empty,
    #[error("{found} bytes of pixels for a {width}x{height} RGBA image (expected {expected})")]
    SizeMismatch {
        width: usize,
        height: usize,
        expected: usize,
        found: usize,
    },
    #[error("no garment found: the image is one flat colour")]
    NoGarment,
}

/// The 28x28 input and how it was obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelInput {
    /// 784 bytes, 0 = background, 255 = brightest garment pixel.
    pub pixels: Vec<u8>,
    /// The background was light, so the image was inverted.
    pub inverted: bool,
}

/// Preprocesses an RGBA image (`width * height * 4` bytes, row-major). Transparent pixels are
/// composited onto white first, so a garment cut out on a transparent background is treated
/// like one on a white shop background.
pub fn preprocess_rgba(
    rgba: &[u8],
    width: usize,
    height: usize,
) -> Result<ModelInput, PreprocessError> {
    if width == 0 || height == 0 {
        return Err(PreprocessError::Empty);
    }
    let expected = width * height * 4;
    if rgba.len() != expected {
        return Err(PreprocessError::SizeMismatch {
            width,
            height,
            expected,
            found: rgba.len(),
        });
    }
    let grey: Vec<f32> = rgba
        .chunks_exact(4)
        .map(|p| {
            let luma = 0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2]);
            let alpha = f32::from(p[3]) / 255.0;
            alpha * luma + (1.0 - alpha) * 255.0
        })
        .collect();
    preprocess_grey(&grey, width, height)
}

/// Preprocesses a grey image (`0.0..=255.0`, row-major) of any polarity.
pub fn preprocess_grey(
    grey: &[f32],
    width: usize,
    height: usize,
) -> Result<ModelInput, PreprocessError> {
    if width == 0 || height == 0 || grey.is_empty() {
        return Err(PreprocessError::Empty);
    }
    let background = border_median(grey, width, height);
    let inverted = background > 127.5;
    // Garment light on black, background removed.
    let mut garment: Vec<f32> = grey
        .iter()
        .map(|&g| {
            let v = if inverted { 255.0 - g } else { g };
            let bg = if inverted {
                255.0 - background
            } else {
                background
            };
            (v - bg).max(0.0)
        })
        .collect();
    let peak = garment.iter().copied().fold(0.0, f32::max);
    if peak < 8.0 {
        return Err(PreprocessError::NoGarment);
    }
    for v in &mut garment {
        *v *= 255.0 / peak;
    }
    let (x0, y0, x1, y1) = bounding_box(&garment, width, height, GARMENT_THRESHOLD * 255.0)
        .ok_or(PreprocessError::NoGarment)?;
    let (crop_w, crop_h) = (x1 - x0, y1 - y0);
    let crop: Vec<f32> = (y0..y1)
        .flat_map(|y| garment[y * width + x0..y * width + x1].iter().copied())
        .collect();
    let longest = crop_w.max(crop_h) as f32;
    let scale = |side: usize| {
        ((side as f32 * IMAGE_SIDE as f32 / longest).round() as usize).clamp(1, IMAGE_SIDE)
    };
    let (out_w, out_h) = (scale(crop_w), scale(crop_h));
    let scaled = resize_area(&crop, crop_w, crop_h, out_w, out_h);
    let mut pixels = vec![0u8; IMAGE_PIXELS];
    // Odd margins put the extra pixel before the garment, as in Fashion-MNIST itself.
    let (left, top) = (
        (IMAGE_SIDE - out_w).div_ceil(2),
        (IMAGE_SIDE - out_h).div_ceil(2),
    );
    for y in 0..out_h {
        for x in 0..out_w {
            pixels[(top + y) * IMAGE_SIDE + left + x] =
                scaled[y * out_w + x].round().clamp(0.0, 255.0) as u8;
        }
    }
    Ok(ModelInput { pixels, inverted })
}

/// The median of the outermost ring of pixels: the background level.
fn border_median(grey: &[f32], width: usize, height: usize) -> f32 {
    let mut ring: Vec<f32> = (0..width)
        .flat_map(|x| [grey[x], grey[(height - 1) * width + x]])
        .chain((0..height).flat_map(|y| [grey[y * width], grey[y * width + width - 1]]))
        .collect();
    ring.sort_by(f32::total_cmp);
    ring[ring.len() / 2]
}

/// Smallest `(x0, y0, x1, y1)` (end exclusive) holding every pixel above `threshold`.
fn bounding_box(
    image: &[f32],
    width: usize,
    height: usize,
    threshold: f32,
) -> Option<(usize, usize, usize, usize)> {
    let mut bounds: Option<(usize, usize, usize, usize)> = None;
    for y in 0..height {
        for x in 0..width {
            if image[y * width + x] > threshold {
                bounds = Some(match bounds {
                    None => (x, y, x + 1, y + 1),
                    Some((x0, y0, x1, y1)) => (x0.min(x), y0.min(y), x1.max(x + 1), y1.max(y + 1)),
                });
            }
        }
    }
    bounds
}

/// Resizes by area averaging (each output pixel is the mean of the input area it covers), so
/// large images shrink without aliasing.
pub fn resize_area(
    image: &[f32],
    width: usize,
    height: usize,
    out_w: usize,
    out_h: usize,
) -> Vec<f32> {
    let horizontal = resample_weights(width, out_w);
    let vertical = resample_weights(height, out_h);
    let mut rows = vec![0.0; height * out_w];
    for y in 0..height {
        for (ox, taps) in horizontal.iter().enumerate() {
            rows[y * out_w + ox] = taps.iter().map(|&(x, w)| image[y * width + x] * w).sum();
        }
    }
    let mut out = vec![0.0; out_h * out_w];
    for (oy, taps) in vertical.iter().enumerate() {
        for ox in 0..out_w {
            out[oy * out_w + ox] = taps.iter().map(|&(y, w)| rows[y * out_w + ox] * w).sum();
        }
    }
    out
}

/// For each output index, the input indices it covers and their weights (summing to 1).
fn resample_weights(input: usize, output: usize) -> Vec<Vec<(usize, f32)>> {
    let step = input as f64 / output as f64;
    (0..output)
        .map(|o| {
            let (start, end) = (o as f64 * step, (o + 1) as f64 * step);
            let first = start.floor() as usize;
            let last = (end.ceil() as usize).min(input);
            (first..last)
                .filter_map(|i| {
                    let overlap = (end.min(i as f64 + 1.0) - start.max(i as f64)).max(0.0);
                    (overlap > 0.0).then_some((i, (overlap / step) as f32))
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `width x height` white RGBA image with a black rectangle at `(x0, y0)..(x1, y1)`.
    fn dark_rectangle_on_white(
        width: usize,
        height: usize,
        rect: (usize, usize, usize, usize),
    ) -> Vec<u8> {
        let (x0, y0, x1, y1) = rect;
        (0..height)
            .flat_map(|y| {
                (0..width).flat_map(move |x| {
                    let inside = (x0..x1).contains(&x) && (y0..y1).contains(&y);
                    if inside {
                        [0, 0, 0, 255]
                    } else {
                        [255, 255, 255, 255]
                    }
                })
            })
            .collect()
    }

    fn lit_box(pixels: &[u8]) -> (usize, usize, usize, usize) {
        let grey: Vec<f32> = pixels.iter().map(|&p| f32::from(p)).collect();
        bounding_box(&grey, IMAGE_SIDE, IMAGE_SIDE, 127.0).unwrap()
    }

    #[test]
    fn dark_rectangle_on_white_becomes_a_centred_light_rectangle() {
        // 200 x 100 rectangle, off-centre on a 400 x 300 image: longest side -> 28, height -> 14.
        let rgba = dark_rectangle_on_white(400, 300, (20, 150, 220, 250));
        let input = preprocess_rgba(&rgba, 400, 300).unwrap();
        assert!(input.inverted);
        assert_eq!(lit_box(&input.pixels), (0, 7, 28, 21));
        assert_eq!(input.pixels[14 * 28 + 14], 255);
        assert_eq!(input.pixels[0], 0);
    }

    #[test]
    fn light_garment_on_black_is_not_inverted() {
        let rgba: Vec<u8> = dark_rectangle_on_white(50, 50, (10, 10, 40, 40))
            .chunks(4)
            .flat_map(|p| [255 - p[0], 255 - p[1], 255 - p[2], 255])
            .collect();
        let input = preprocess_rgba(&rgba, 50, 50).unwrap();
        assert!(!input.inverted);
        assert_eq!(lit_box(&input.pixels), (0, 0, 28, 28));
    }

    #[test]
    fn transparent_background_counts_as_white() {
        // Opaque black square on fully transparent (black, alpha 0) pixels.
        let rgba: Vec<u8> = (0..60 * 60)
            .flat_map(|i| {
                let (x, y) = (i % 60, i / 60);
                if (20..40).contains(&x) && (20..40).contains(&y) {
                    [0, 0, 0, 255]
                } else {
                    [0, 0, 0, 0]
                }
            })
            .collect();
        let input = preprocess_rgba(&rgba, 60, 60).unwrap();
        assert!(input.inverted);
        assert_eq!(lit_box(&input.pixels), (0, 0, 28, 28));
    }

    #[test]
    fn blank_and_malformed_images_are_refused() {
        let white = vec![255u8; 30 * 20 * 4];
        assert_eq!(
            preprocess_rgba(&white, 30, 20),
            Err(PreprocessError::NoGarment)
        );
        assert_eq!(preprocess_rgba(&[], 0, 0), Err(PreprocessError::Empty));
        assert!(matches!(
            preprocess_rgba(&white, 31, 20),
            Err(PreprocessError::SizeMismatch { .. })
        ));
    }

    #[test]
    fn area_resize_averages_and_keeps_the_mean() {
        let image: Vec<f32> = (0..16)
            .map(|i| if i % 2 == 0 { 0.0 } else { 100.0 })
            .collect();
        let out = resize_area(&image, 4, 4, 2, 2);
        assert_eq!(out, vec![50.0; 4]);
    }
}
