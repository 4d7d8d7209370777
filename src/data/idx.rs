//! Reader for the IDX format that Fashion-MNIST ships in (raw or gzip).
//!
//! Layout (big-endian): magic `0x00000803` (images) or `0x00000801` (labels), one `u32` per
//! dimension, then one byte per pixel or label. Every way a file can be wrong gets its own
//! [`IdxError`] variant, and nothing is allocated from a count before that count is checked.

use std::io::Read;

use flate2::read::GzDecoder;
use thiserror::Error;

/// Magic number of an IDX file of unsigned bytes with three dimensions (images).
pub const IMAGES_MAGIC: u32 = 0x0000_0803;
/// Magic number of an IDX file of unsigned bytes with one dimension (labels).
pub const LABELS_MAGIC: u32 = 0x0000_0801;
/// Side of a Fashion-MNIST image in pixels.
pub const IMAGE_SIDE: usize = 28;
/// Pixels in one Fashion-MNIST image.
pub const IMAGE_PIXELS: usize = IMAGE_SIDE * IMAGE_SIDE;
/// Number of classes; labels are `0..NUM_CLASSES`.
pub const NUM_CLASSES: usize = 10;
/// More items than any plausible Fashion-MNIST file holds: a header above this is refused
/// before anything is allocated.
pub const MAX_ITEMS: usize = 1_000_000;
/// Upper bound on the bytes a gzip file may expand to (the 60k training images are 47 MB).
const MAX_DECOMPRESSED_BYTES: u64 = 16 + (MAX_ITEMS * IMAGE_PIXELS) as u64;

/// Why an IDX file was refused.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum IdxError {
    #[error("the gzip data is corrupt ({0}); download the file again")]
    CorruptGzip(String),
    #[error("the file is {found} bytes long, shorter than its {needed}-byte IDX header")]
    TruncatedHeader { found: usize, needed: usize },
    #[error("wrong magic number {found:#010x}: an IDX {kind} file starts with {expected:#010x}")]
    WrongMagic {
        kind: &'static str,
        expected: u32,
        found: u32,
    },
    #[error(
        "it is a web page (HTML), not an IDX file: the server answered with a page (an error or \
         a sign-in page, say) where the data file should be"
    )]
    WebPage,
    #[error("images are {rows}x{cols} pixels; Fashion-MNIST images are 28x28")]
    WrongImageSize { rows: usize, cols: usize },
    #[error("the header claims {count} items, more than the {max} a Fashion-MNIST file can hold")]
    AbsurdCount { count: usize, max: usize },
    #[error("the file is truncated: the header promises {expected} data bytes, found {found}")]
    Truncated { expected: usize, found: usize },
    #[error("{extra} unexpected bytes follow the {expected} data bytes the header promises")]
    TrailingData { expected: usize, extra: usize },
    #[error("label {label} at position {index} is outside the classes 0-9")]
    LabelOutOfRange { index: usize, label: u8 },
    #[error("{images} images but {labels} labels: the two files do not belong together")]
    CountMismatch { images: usize, labels: usize },
}

/// Images of one IDX file, kept as bytes (`count * 784`, row-major).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxImages {
    pub count: usize,
    pub pixels: Vec<u8>,
}

impl IdxImages {
    /// The 784 pixels of image `index`.
    pub fn image(&self, index: usize) -> &[u8] {
        &self.pixels[index * IMAGE_PIXELS..(index + 1) * IMAGE_PIXELS]
    }
}

/// Returns the raw bytes of an IDX file, gunzipping it when it starts with the gzip magic.
pub fn decompress_if_gzip(bytes: &[u8]) -> Result<Vec<u8>, IdxError> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(bytes.to_vec());
    }
    let mut out = Vec::new();
    GzDecoder::new(bytes)
        .take(MAX_DECOMPRESSED_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| IdxError::CorruptGzip(e.to_string()))?;
    if out.len() as u64 > MAX_DECOMPRESSED_BYTES {
        return Err(IdxError::CorruptGzip(format!(
            "it expands to more than {MAX_DECOMPRESSED_BYTES} bytes"
        )));
    }
    Ok(out)
}

/// Parses an images file (raw or gzip) of 28x28 images.
pub fn parse_images(bytes: &[u8]) -> Result<IdxImages, IdxError> {
    let raw = decompress_if_gzip(bytes)?;
    let header = read_header(&raw, IMAGES_MAGIC, "images", 3)?;
    let (count, rows, cols) = (header[0], header[1], header[2]);
    check_count(count)?;
    if rows != IMAGE_SIDE || cols != IMAGE_SIDE {
        return Err(IdxError::WrongImageSize { rows, cols });
    }
    let data = check_length(&raw[16..], count * IMAGE_PIXELS)?;
    Ok(IdxImages {
        count,
        pixels: data.to_vec(),
    })
}

/// Parses a labels file (raw or gzip); every label must name one of the 10 classes.
pub fn parse_labels(bytes: &[u8]) -> Result<Vec<u8>, IdxError> {
    let raw = decompress_if_gzip(bytes)?;
    let header = read_header(&raw, LABELS_MAGIC, "labels", 1)?;
    let count = header[0];
    check_count(count)?;
    let data = check_length(&raw[8..], count)?;
    if let Some((index, &label)) = data
        .iter()
        .enumerate()
        .find(|&(_, &l)| usize::from(l) >= NUM_CLASSES)
    {
        return Err(IdxError::LabelOutOfRange { index, label });
    }
    Ok(data.to_vec())
}

/// Checks that an images file and a labels file describe the same number of items.
pub fn check_pair(images: &IdxImages, labels: &[u8]) -> Result<(), IdxError> {
    if images.count != labels.len() {
        return Err(IdxError::CountMismatch {
            images: images.count,
            labels: labels.len(),
        });
    }
    Ok(())
}

/// Reads the magic and `dims` big-endian `u32` dimensions.
fn read_header(
    raw: &[u8],
    expected: u32,
    kind: &'static str,
    dims: usize,
) -> Result<Vec<usize>, IdxError> {
    let needed = 4 * (1 + dims);
    let word =
        |i: usize| u32::from_be_bytes([raw[4 * i], raw[4 * i + 1], raw[4 * i + 2], raw[4 * i + 3]]);
    if raw.len() < 4 {
        return Err(IdxError::TruncatedHeader {
            found: raw.len(),
            needed,
        });
    }
    let found = word(0);
    if found != expected && looks_like_html(raw) {
        return Err(IdxError::WebPage);
    }
    if found != expected {
        return Err(IdxError::WrongMagic {
            kind,
            expected,
            found,
        });
    }
    if raw.len() < needed {
        return Err(IdxError::TruncatedHeader {
            found: raw.len(),
            needed,
        });
    }
    Ok((1..=dims).map(|i| word(i) as usize).collect())
}

/// Whether `bytes` start like an HTML document (after a byte-order mark and white space).
pub fn looks_like_html(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace());
    let head: Vec<u8> = start
        .map(|i| &bytes[i..bytes.len().min(i + 64)])
        .unwrap_or_default()
        .to_ascii_lowercase();
    ["<!doctype html", "<html", "<head", "<body", "<!--", "<?xml"]
        .iter()
        .any(|tag| head.starts_with(tag.as_bytes()))
}

fn check_count(count: usize) -> Result<(), IdxError> {
    if count > MAX_ITEMS {
        return Err(IdxError::AbsurdCount {
            count,
            max: MAX_ITEMS,
        });
    }
    Ok(())
}

fn check_length(data: &[u8], expected: usize) -> Result<&[u8], IdxError> {
    match data.len() {
        found if found < expected => Err(IdxError::Truncated { expected, found }),
        found if found > expected => Err(IdxError::TrailingData {
            expected,
            extra: found - expected,
        }),
        _ => Ok(data),
    }
}
