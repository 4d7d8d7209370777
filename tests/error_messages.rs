//! Every error the core can give a person, word for word: what the page and the command-line
//! runners show. (The IDX faults, one per broken file, are in `idx_cases.rs`; the download
//! faults' messages with their advice are unit-tested in `src/data/download_fault.rs`.)

use fashion_lab::data::download_fault::DownloadFault;
use fashion_lab::data::fashion_mnist::{DataError, DataFile};
use fashion_lab::data::idx::IdxError;
use fashion_lab::inference::InferenceError;
use fashion_lab::model::saved::ModelFileError;
use fashion_lab::preprocess::PreprocessError;
use fashion_lab::train::TrainError;

fn check<E: std::fmt::Display>(cases: Vec<(E, &str)>) {
    for (error, expected) in cases {
        assert_eq!(error.to_string(), expected);
    }
}

#[test]
fn idx_errors() {
    check(vec![
        (
            IdxError::CorruptGzip("invalid deflate".into()),
            "the gzip data is corrupt (invalid deflate); download the file again",
        ),
        (
            IdxError::TruncatedHeader {
                found: 3,
                needed: 16,
            },
            "the file is 3 bytes long, shorter than its 16-byte IDX header",
        ),
        (
            IdxError::WrongMagic {
                kind: "images",
                expected: 0x803,
                found: 0x801,
            },
            "wrong magic number 0x00000801: an IDX images file starts with 0x00000803",
        ),
        (
            IdxError::WebPage,
            "it is a web page (HTML), not an IDX file: the server answered with a page (an error \
             or a sign-in page, say) where the data file should be",
        ),
        (
            IdxError::WrongImageSize { rows: 32, cols: 32 },
            "images are 32x32 pixels; Fashion-MNIST images are 28x28",
        ),
        (
            IdxError::AbsurdCount {
                count: 4_000_000_000,
                max: 1_000_000,
            },
            "the header claims 4000000000 items, more than the 1000000 a Fashion-MNIST file can hold",
        ),
        (
            IdxError::Truncated {
                expected: 784,
                found: 700,
            },
            "the file is truncated: the header promises 784 data bytes, found 700",
        ),
        (
            IdxError::TrailingData {
                expected: 32,
                extra: 5,
            },
            "5 unexpected bytes follow the 32 data bytes the header promises",
        ),
        (
            IdxError::LabelOutOfRange {
                index: 7,
                label: 12,
            },
            "label 12 at position 7 is outside the classes 0-9",
        ),
        (
            IdxError::CountMismatch {
                images: 32,
                labels: 31,
            },
            "32 images but 31 labels: the two files do not belong together",
        ),
    ]);
}

#[test]
fn data_errors_name_the_file() {
    check(vec![(
        DataError {
            file: DataFile::TestLabels.file_name(),
            source: IdxError::CountMismatch {
                images: 10_000,
                labels: 9_999,
            },
        },
        "t10k-labels-idx1-ubyte.gz: 10000 images but 9999 labels: the two files do not belong \
         together",
    )]);
}

#[test]
fn download_faults() {
    check(vec![
        (
            DownloadFault::Unreachable("Failed to fetch".into()),
            "the server could not be reached (Failed to fetch)",
        ),
        (
            DownloadFault::NotFound,
            "the server has no such file (HTTP 404)",
        ),
        (
            DownloadFault::Http { status: 500 },
            "the server answered HTTP 500",
        ),
        (
            DownloadFault::BrokeOff {
                received: 10,
                expected: Some(20),
                reason: "network error".into(),
            },
            "the download broke off after 10 of 20 bytes (network error)",
        ),
        (
            DownloadFault::Invalid(IdxError::TruncatedHeader {
                found: 0,
                needed: 8,
            }),
            "the file is 0 bytes long, shorter than its 8-byte IDX header",
        ),
    ]);
}

#[test]
fn training_errors() {
    check(vec![
        (
            TrainError::NonFiniteLoss { epoch: 3 },
            "the loss became NaN or infinite in epoch 3; try a smaller learning rate",
        ),
        (
            TrainError::Device("device lost".into()),
            "the compute device failed: device lost",
        ),
    ]);
}

#[test]
fn model_file_errors() {
    check(vec![
        (
            ModelFileError::NotAModelFile("bad header".into()),
            "this is not a Fashion Lab model file (bad header)",
        ),
        (
            ModelFileError::UnsupportedVersion { found: "7".into() },
            "this model file has format version 7; this app reads version 1",
        ),
        (
            ModelFileError::BadInfo("missing name".into()),
            "the model file's description is unreadable (missing name)",
        ),
        (
            ModelFileError::WrongArchitecture("shape mismatch".into()),
            "the weights do not fit the architecture the file describes (shape mismatch)",
        ),
        (
            ModelFileError::Save("out of memory".into()),
            "the model could not be saved (out of memory)",
        ),
    ]);
}

#[test]
fn preprocessing_and_inference_errors() {
    check(vec![
        (PreprocessError::Empty, "the image has no pixels"),
        (
            PreprocessError::SizeMismatch {
                width: 2,
                height: 2,
                expected: 16,
                found: 15,
            },
            "15 bytes of pixels for a 2x2 RGBA image (expected 16)",
        ),
        (
            PreprocessError::NoGarment,
            "no garment found: the image is one flat colour",
        ),
    ]);
    check(vec![
        (
            InferenceError::WrongSize(100),
            "the input has 100 pixels; a model input has 784",
        ),
        (InferenceError::NoDevice, "the model has no device"),
        (
            InferenceError::Device("lost".into()),
            "the compute device failed: lost",
        ),
    ]);
}
