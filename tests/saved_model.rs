//! The model file: round trip, the shipped pretrained model, and refusals of bad files.

use burn::prelude::*;
use fashion_lab::data::idx::{parse_images, parse_labels};
use fashion_lab::inference::class_probabilities;
use fashion_lab::model::CnnConfig;
use fashion_lab::model::saved::{ModelFileError, ModelInfo, decode_model, encode_model, read_info};

#[allow(deprecated)]
fn cpu() -> Device {
    Device::ndarray()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn pretrained() -> Vec<u8> {
    std::fs::read(format!("{}/assets/model4.bpk", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn info(architecture: CnnConfig) -> ModelInfo {
    ModelInfo {
        name: "test model".into(),
        architecture,
        epochs: 0,
        validation_accuracy: None,
        test_accuracy: None,
        trained: "not trained".into(),
    }
}

#[test]
fn round_trip_keeps_predictions_within_f16_precision() {
    let device = cpu();
    let model = CnnConfig::model4().init(&device);
    let bytes = pollster::block_on(encode_model(&model, &info(CnnConfig::model4()))).unwrap();
    // 628,630 f16 weights plus headers.
    assert!(
        bytes.len() > 1_257_260 && bytes.len() < 1_300_000,
        "{}",
        bytes.len()
    );
    let (loaded, loaded_info) = decode_model(&bytes, &device).unwrap();
    assert_eq!(loaded_info, info(CnnConfig::model4()));
    let images = parse_images(&fixture("idx/good-images-idx3-ubyte")).unwrap();
    for i in 0..4 {
        let a = pollster::block_on(class_probabilities(&model, images.image(i))).unwrap();
        let b = pollster::block_on(class_probabilities(&loaded, images.image(i))).unwrap();
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() < 2e-3, "{a:?} vs {b:?}");
        }
    }
}

#[test]
fn pretrained_model_classifies_the_first_32_test_images() {
    let device = cpu();
    let bytes = pretrained();
    let (model, info) = decode_model(&bytes, &device).unwrap();
    assert_eq!(info.architecture, CnnConfig::model4());
    assert!(info.test_accuracy.unwrap() >= 0.90, "{info:?}");
    let images = parse_images(&fixture("idx/good-images-idx3-ubyte")).unwrap();
    let labels = parse_labels(&fixture("idx/good-labels-idx1-ubyte")).unwrap();
    let correct = (0..32)
        .filter(|&i| {
            let probs = pollster::block_on(class_probabilities(&model, images.image(i))).unwrap();
            let sum: f32 = probs.iter().sum();
            assert!((sum - 1.0).abs() < 1e-4);
            let best = probs
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .unwrap()
                .0;
            best == usize::from(labels[i])
        })
        .count();
    assert!(correct >= 28, "{correct} of 32");
}

#[test]
fn truncated_and_foreign_files_are_refused() {
    let device = cpu();
    let bytes = pretrained();
    let truncated = decode_model(&bytes[..bytes.len() / 2], &device).unwrap_err();
    assert!(
        matches!(truncated, ModelFileError::NotAModelFile(_)),
        "{truncated:?}"
    );
    let text = decode_model(b"name,label\nshirt,6\n", &device).unwrap_err();
    assert!(matches!(text, ModelFileError::NotAModelFile(_)), "{text:?}");
    assert!(matches!(
        decode_model(&[], &device),
        Err(ModelFileError::NotAModelFile(_))
    ));
    // Flipped bytes in the middle of the weights still decode (they are just numbers), but
    // flipped bytes in the header do not.
    let mut header_damaged = bytes.clone();
    for b in &mut header_damaged[..16] {
        *b ^= 0xff;
    }
    assert!(decode_model(&header_damaged, &device).is_err());
}

#[test]
fn weights_of_another_architecture_are_refused() {
    let device = cpu();
    // A 3-conv model's weights in a file that claims to be model 4.
    let three_conv = CnnConfig {
        conv_strides: vec![1, 2, 2],
        ..CnnConfig::default()
    };
    let model = three_conv.init(&device);
    let lying = pollster::block_on(encode_model(&model, &info(CnnConfig::model4()))).unwrap();
    let err = decode_model(&lying, &device).unwrap_err();
    assert!(
        matches!(err, ModelFileError::WrongArchitecture(_)),
        "{err:?}"
    );
    assert!(err.to_string().contains("do not fit"));
    // An honest file of that architecture loads, with its own shape.
    let honest = pollster::block_on(encode_model(&model, &info(three_conv.clone()))).unwrap();
    assert_eq!(read_info(&honest).unwrap().architecture, three_conv);
    assert!(decode_model(&honest, &device).is_ok());
}

#[test]
fn absurd_architectures_in_a_file_are_refused_before_building() {
    let mut absurd = CnnConfig::model4();
    absurd.filters = 1_000_000;
    let model = CnnConfig::model4().init(&cpu());
    let bytes = pollster::block_on(encode_model(&model, &info(absurd))).unwrap();
    assert!(matches!(
        decode_model(&bytes, &cpu()),
        Err(ModelFileError::BadInfo(_))
    ));
}

#[test]
fn pretrained_representation_model_is_the_4_conv_variant_and_learned() {
    let bytes = std::fs::read(format!(
        "{}/assets/representation.bpk",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let (model, info) = decode_model(&bytes, &cpu()).unwrap();
    assert_eq!(info.architecture, CnnConfig::representation());
    assert_eq!(burn::module::Module::num_params(&model), 32_374);
    assert!(info.test_accuracy.unwrap() >= 0.8, "{info:?}");
}
