//! The model file: a burnpack record (burn's versioned format) of a [`Cnn`]'s parameters stored
//! as f16 (half the size, no measurable accuracy change), with metadata that names the file
//! format version and describes the model ([`ModelInfo`]).
//!
//! Saving reads parameters back asynchronously, so it works in the browser on WebGPU too.

use burn::module::{Module, ModuleVisitor, Param};
use burn::prelude::*;
use burn::store::ModuleRecord;
use burn::tensor::{Bytes, DType};
use burn_pack::{Reader, Writer};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::{Cnn, CnnConfig};

/// Metadata key holding the file format version.
const FORMAT_KEY: &str = "fashion_lab.format";
/// Metadata key holding the JSON [`ModelInfo`].
const INFO_KEY: &str = "fashion_lab.model";
/// The format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// What a model file says about its model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// Shown in the page, e.g. "model 4 (pretrained)".
    pub name: String,
    pub architecture: CnnConfig,
    pub epochs: usize,
    pub validation_accuracy: Option<f64>,
    pub test_accuracy: Option<f64>,
    /// How it was trained, in words (data, seed, backend).
    pub trained: String,
}

/// Why a model file was refused.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ModelFileError {
    #[error("this is not a Fashion Lab model file ({0})")]
    NotAModelFile(String),
    #[error("this model file has format version {found}; this app reads version {FORMAT_VERSION}")]
    UnsupportedVersion { found: String },
    #[error("the model file's description is unreadable ({0})")]
    BadInfo(String),
    #[error("the weights do not fit the architecture the file describes ({0})")]
    WrongArchitecture(String),
    #[error("the model could not be saved ({0})")]
    Save(String),
}

/// Serializes `model` and `info` into a model file.
pub async fn encode_model(model: &Cnn, info: &ModelInfo) -> Result<Vec<u8>, ModelFileError> {
    let mut collector = ParamCollector::default();
    model.visit(&mut collector);
    let mut tensors = Vec::with_capacity(collector.params.len());
    for (path, id, shape, flat) in collector.params {
        let values = flat
            .into_data_async()
            .await
            .map_err(|e| ModelFileError::Save(format!("{e:?}")))?
            .try_to_vec::<f32>()
            .map_err(|e| ModelFileError::Save(format!("{e:?}")))?;
        let bytes: Vec<u8> = values
            .iter()
            .flat_map(|&v| half::f16::from_f32(v).to_le_bytes())
            .collect();
        tensors.push(burn_pack::Tensor::new(
            path,
            DType::F16,
            shape,
            Some(id),
            Bytes::from_bytes_vec(bytes),
        ));
    }
    let info = serde_json::to_string(info).map_err(|e| ModelFileError::Save(e.to_string()))?;
    let bytes = Writer::new(tensors)
        .with_metadata(FORMAT_KEY, &FORMAT_VERSION.to_string())
        .with_metadata(INFO_KEY, &info)
        .into_bytes()
        .map_err(|e| ModelFileError::Save(e.to_string()))?;
    Ok(bytes.to_vec())
}

/// Reads a model file's description without loading its weights.
pub fn read_info(bytes: &[u8]) -> Result<ModelInfo, ModelFileError> {
    let reader = Reader::from_bytes(Bytes::from_bytes_vec(bytes.to_vec()))
        .map_err(|e| ModelFileError::NotAModelFile(e.to_string()))?;
    let metadata = reader.metadata();
    let version = metadata.get(FORMAT_KEY).ok_or_else(|| {
        ModelFileError::NotAModelFile("a burnpack file without Fashion Lab metadata".into())
    })?;
    if version != &FORMAT_VERSION.to_string() {
        return Err(ModelFileError::UnsupportedVersion {
            found: version.clone(),
        });
    }
    let info = metadata
        .get(INFO_KEY)
        .ok_or_else(|| ModelFileError::BadInfo("the description is missing".into()))?;
    serde_json::from_str(info).map_err(|e| ModelFileError::BadInfo(e.to_string()))
}

/// Builds the model a file describes, on `device`, with the file's weights.
pub fn decode_model(bytes: &[u8], device: &Device) -> Result<(Cnn, ModelInfo), ModelFileError> {
    let info = read_info(bytes)?;
    info.architecture
        .validate()
        .map_err(ModelFileError::BadInfo)?;
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(bytes.to_vec()))
        .map_err(|e| ModelFileError::NotAModelFile(e.to_string()))?
        .cast_to_module_dtype();
    let model = info
        .architecture
        .init(device)
        .try_load_record(record)
        .map_err(|e| ModelFileError::WrongArchitecture(e.to_string()))?;
    Ok((model, info))
}

/// Collects every float parameter with its module path, as burn's own record does.
#[derive(Default)]
struct ParamCollector {
    path: Vec<String>,
    /// Path, parameter id, shape and the values flattened.
    params: Vec<(String, u64, Vec<usize>, Tensor<1>)>,
}

impl ModuleVisitor for ParamCollector {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_string());
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }

    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let tensor = param.transform_for_save().val();
        let shape = tensor.dims().to_vec();
        let flat: Tensor<1> = tensor.flatten(0, D - 1);
        self.params
            .push((self.path.join("."), param.id.val(), shape, flat));
    }
}
