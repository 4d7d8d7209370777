//! The Fashion-MNIST data set: its four official files pooled into one set of 70,000 images.

use thiserror::Error;

use super::idx::{self, IMAGE_PIXELS, IdxError, IdxImages, NUM_CLASSES};

/// Class names in label order, as the data set's authors give them.
pub const CLASS_NAMES: [&str; NUM_CLASSES] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

/// One of the four official files, in the order [`FashionMnist::from_files`] takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataFile {
    TrainImages,
    TrainLabels,
    TestImages,
    TestLabels,
}

impl DataFile {
    pub const ALL: [DataFile; 4] = [
        DataFile::TrainImages,
        DataFile::TrainLabels,
        DataFile::TestImages,
        DataFile::TestLabels,
    ];

    /// The official file name (gzip), as served from the app's `data/` folder.
    pub fn file_name(self) -> &'static str {
        match self {
            DataFile::TrainImages => "train-images-idx3-ubyte.gz",
            DataFile::TrainLabels => "train-labels-idx1-ubyte.gz",
            DataFile::TestImages => "t10k-images-idx3-ubyte.gz",
            DataFile::TestLabels => "t10k-labels-idx1-ubyte.gz",
        }
    }
}

/// One data file, parsed and checked on its own (before the other three arrive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataPart {
    Images(IdxImages),
    Labels(Vec<u8>),
}

impl DataFile {
    /// Parses this file's bytes (raw or gzip) as what it should hold.
    pub fn parse(self, bytes: &[u8]) -> Result<DataPart, IdxError> {
        match self {
            DataFile::TrainImages | DataFile::TestImages => {
                idx::parse_images(bytes).map(DataPart::Images)
            }
            DataFile::TrainLabels | DataFile::TestLabels => {
                idx::parse_labels(bytes).map(DataPart::Labels)
            }
        }
    }
}

/// A data file that could not be read, and why.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("{file}: {source}")]
pub struct DataError {
    pub file: &'static str,
    #[source]
    pub source: IdxError,
}

/// All images of the data set, pooled (training file first, then test file), kept as bytes:
/// 70,000 images as `f32` would be 220 MB, more than one WebGPU binding may hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FashionMnist {
    pixels: Vec<u8>,
    labels: Vec<u8>,
}

impl FashionMnist {
    /// Builds the pooled set from already parsed images and labels.
    pub fn from_parts(parts: Vec<(IdxImages, Vec<u8>)>) -> Result<Self, IdxError> {
        let mut pixels = Vec::new();
        let mut labels = Vec::new();
        for (images, part_labels) in parts {
            idx::check_pair(&images, &part_labels)?;
            pixels.extend_from_slice(&images.pixels);
            labels.extend_from_slice(&part_labels);
        }
        Ok(Self { pixels, labels })
    }

    /// Parses the four official files (raw or gzip bytes, in [`DataFile::ALL`] order).
    pub fn from_files(files: [&[u8]; 4]) -> Result<Self, DataError> {
        let [train_images, train_labels, test_images, test_labels] = files;
        let images = |file: DataFile, bytes: &[u8]| {
            idx::parse_images(bytes).map_err(|source| DataError {
                file: file.file_name(),
                source,
            })
        };
        let labels = |file: DataFile, bytes: &[u8]| {
            idx::parse_labels(bytes).map_err(|source| DataError {
                file: file.file_name(),
                source,
            })
        };
        let train = (
            images(DataFile::TrainImages, train_images)?,
            labels(DataFile::TrainLabels, train_labels)?,
        );
        let test = (
            images(DataFile::TestImages, test_images)?,
            labels(DataFile::TestLabels, test_labels)?,
        );
        let pair_error = |file: DataFile| {
            move |source| DataError {
                file: file.file_name(),
                source,
            }
        };
        idx::check_pair(&train.0, &train.1).map_err(pair_error(DataFile::TrainLabels))?;
        idx::check_pair(&test.0, &test.1).map_err(pair_error(DataFile::TestLabels))?;
        Self::from_parts(vec![train, test]).map_err(pair_error(DataFile::TestLabels))
    }

    /// Builds the pooled set from the four files parsed one by one ([`DataFile::parse`], in
    /// [`DataFile::ALL`] order); the images and labels of each part must belong together.
    pub fn from_data_parts(parts: [DataPart; 4]) -> Result<Self, DataError> {
        let [train_images, train_labels, test_images, test_labels] = parts;
        let pair = |images: DataPart, labels: DataPart, file: DataFile| match (images, labels) {
            (DataPart::Images(images), DataPart::Labels(labels)) => {
                idx::check_pair(&images, &labels).map_err(|source| DataError {
                    file: file.file_name(),
                    source,
                })?;
                Ok((images, labels))
            }
            _ => Err(DataError {
                file: file.file_name(),
                source: IdxError::WrongMagic {
                    kind: "labels",
                    expected: idx::LABELS_MAGIC,
                    found: idx::IMAGES_MAGIC,
                },
            }),
        };
        let train = pair(train_images, train_labels, DataFile::TrainLabels)?;
        let test = pair(test_images, test_labels, DataFile::TestLabels)?;
        Self::from_parts(vec![train, test]).map_err(|source| DataError {
            file: DataFile::TestLabels.file_name(),
            source,
        })
    }

    /// Reads the four official files from a folder (the `data/` folder, or Debian's
    /// `/usr/share/datasets/fashion-mnist`). The message names the missing file.
    pub fn load_dir(dir: &std::path::Path) -> Result<Self, String> {
        let read = |file: DataFile| {
            let path = dir.join(file.file_name());
            std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))
        };
        let files = DataFile::ALL.map(read);
        let [a, b, c, d] = files;
        let (a, b, c, d) = (a?, b?, c?, d?);
        Self::from_files([&a, &b, &c, &d]).map_err(|e| e.to_string())
    }

    /// Rebuilds a set from [`FashionMnist::pixels`] and [`FashionMnist::labels`] (as a
    /// worker receives it): 784 bytes per image, one label (0-9) per image.
    pub fn from_pixels(pixels: Vec<u8>, labels: Vec<u8>) -> Result<Self, IdxError> {
        let expected = labels.len() * IMAGE_PIXELS;
        if pixels.len() != expected {
            return Err(IdxError::Truncated {
                expected,
                found: pixels.len(),
            });
        }
        if let Some((index, &label)) = labels
            .iter()
            .enumerate()
            .find(|&(_, &l)| usize::from(l) >= NUM_CLASSES)
        {
            return Err(IdxError::LabelOutOfRange { index, label });
        }
        Ok(Self { pixels, labels })
    }

    /// Every image's bytes, one after the other.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// Every image's class.
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The 784 bytes of image `index` (0 = black background, 255 = brightest garment pixel).
    pub fn image(&self, index: usize) -> &[u8] {
        &self.pixels[index * IMAGE_PIXELS..(index + 1) * IMAGE_PIXELS]
    }

    /// The class of image `index`.
    pub fn label(&self, index: usize) -> u8 {
        self.labels[index]
    }

    /// How many of `indices` fall in each class.
    pub fn class_counts(&self, indices: &[u32]) -> [usize; NUM_CLASSES] {
        let mut counts = [0; NUM_CLASSES];
        for &i in indices {
            counts[usize::from(self.labels[i as usize])] += 1;
        }
        counts
    }
}
