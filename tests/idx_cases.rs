//! Every IDX case in `tests/fixtures/idx` (copied from the shared cases) gives what its
//! `expected.txt` says: the good files parse to the first 32 test images and labels, every
//! broken one is refused with the error naming its problem.

use fashion_lab::data::idx::{IdxError, check_pair, parse_images, parse_labels};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/idx/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const FIRST_LABELS: [u8; 32] = [
    9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5, 7, 3, 4, 1, 2, 4, 8, 0, 2, 5, 7, 9, 1, 4, 6, 0, 9, 3, 8, 8,
];

#[test]
fn good_labels_are_the_first_32_test_labels() {
    assert_eq!(
        parse_labels(&fixture("good-labels-idx1-ubyte")).unwrap(),
        FIRST_LABELS
    );
}

#[test]
fn good_images_parse_raw_and_gzip_to_the_same_32_images() {
    let raw = parse_images(&fixture("good-images-idx3-ubyte")).unwrap();
    let gz = parse_images(&fixture("good-images-idx3-ubyte.gz")).unwrap();
    assert_eq!(raw.count, 32);
    assert_eq!(raw.pixels.len(), 32 * 784);
    assert_eq!(raw, gz);
    // The raw file's bytes after the 16-byte header are the pixels, unchanged.
    assert_eq!(raw.pixels, fixture("good-images-idx3-ubyte")[16..]);
    // Test image 0 is an ankle boot: dark corners, a bright garment.
    let first = raw.image(0);
    assert_eq!(first[0], 0);
    assert!(first.iter().map(|&p| u32::from(p)).sum::<u32>() > 784 * 30);
    check_pair(
        &raw,
        &parse_labels(&fixture("good-labels-idx1-ubyte")).unwrap(),
    )
    .unwrap();
}

#[test]
fn corrupt_gzip_is_refused() {
    let err = parse_images(&fixture("corrupt-gzip-images-idx3-ubyte.gz")).unwrap_err();
    assert!(matches!(err, IdxError::CorruptGzip(_)), "{err:?}");
    assert!(err.to_string().contains("gzip"));
}

#[test]
fn count_mismatch_is_refused_when_paired() {
    let labels = parse_labels(&fixture("count-mismatch-labels-idx1-ubyte")).unwrap();
    let images = parse_images(&fixture("good-images-idx3-ubyte")).unwrap();
    assert_eq!(
        check_pair(&images, &labels),
        Err(IdxError::CountMismatch {
            images: 32,
            labels: 31
        })
    );
}

#[test]
fn header_only_is_refused() {
    assert_eq!(
        parse_images(&fixture("header-only-images-idx3-ubyte")),
        Err(IdxError::TruncatedHeader {
            found: 10,
            needed: 16
        })
    );
}

#[test]
fn huge_count_is_refused_before_allocating() {
    assert_eq!(
        parse_images(&fixture("huge-count-images-idx3-ubyte")),
        Err(IdxError::AbsurdCount {
            count: 0xffff_ffff,
            max: 1_000_000
        })
    );
}

#[test]
fn label_out_of_range_is_refused() {
    let err = parse_labels(&fixture("label-out-of-range-labels-idx1-ubyte")).unwrap_err();
    assert!(
        matches!(err, IdxError::LabelOutOfRange { label, .. } if label >= 10),
        "{err:?}"
    );
}

#[test]
fn trailing_bytes_are_refused() {
    assert_eq!(
        parse_labels(&fixture("trailing-bytes-labels-idx1-ubyte")),
        Err(IdxError::TrailingData {
            expected: 32,
            extra: 2
        })
    );
}

#[test]
fn truncated_images_are_refused() {
    assert_eq!(
        parse_images(&fixture("truncated-images-idx3-ubyte")),
        Err(IdxError::Truncated {
            expected: 32 * 784,
            found: 7861 - 16
        })
    );
}

#[test]
fn wrong_magic_is_refused() {
    assert_eq!(
        parse_images(&fixture("wrong-magic-images-idx3-ubyte")),
        Err(IdxError::WrongMagic {
            kind: "images",
            expected: 0x803,
            found: 0x801
        })
    );
}

#[test]
fn wrong_image_size_is_refused() {
    assert_eq!(
        parse_images(&fixture("wrong-size-images-idx3-ubyte")),
        Err(IdxError::WrongImageSize { rows: 32, cols: 32 })
    );
}

#[test]
fn every_error_has_a_plain_message() {
    for err in [
        parse_images(&fixture("huge-count-images-idx3-ubyte")).unwrap_err(),
        parse_images(&fixture("wrong-magic-images-idx3-ubyte")).unwrap_err(),
        parse_labels(&fixture("trailing-bytes-labels-idx1-ubyte")).unwrap_err(),
    ] {
        let message = err.to_string();
        assert!(message.len() > 20 && !message.contains("Err("), "{message}");
    }
}

#[test]
fn an_html_error_page_saved_as_a_data_file_is_named_as_such() {
    let page = b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head></html>\n";
    for err in [
        parse_images(page).unwrap_err(),
        parse_labels(page).unwrap_err(),
    ] {
        assert_eq!(err, IdxError::WebPage);
        assert!(
            err.to_string()
                .starts_with("it is a web page (HTML), not an IDX file")
        );
    }
    // Gzipped HTML (a server that compressed its error page) is named the same way.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, page).unwrap();
    assert_eq!(
        parse_images(&gz.finish().unwrap()).unwrap_err(),
        IdxError::WebPage
    );
}
