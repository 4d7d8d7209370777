//! The representation model and the activations its view draws.

use burn::module::Module;
use burn::prelude::*;
use fashion_lab::data::batch::image_tensor;
use fashion_lab::data::idx::parse_images;
use fashion_lab::model::CnnConfig;

#[allow(deprecated)]
fn cpu() -> Device {
    Device::ndarray()
}

fn first_test_image() -> Vec<u8> {
    let bytes = std::fs::read(format!(
        "{}/tests/fixtures/idx/good-images-idx3-ubyte",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    parse_images(&bytes).unwrap().image(0).to_vec()
}

#[test]
fn representation_model_has_32374_parameters() {
    assert_eq!(
        CnnConfig::representation().init(&cpu()).num_params(),
        32_374
    );
}

#[test]
fn activations_have_one_map_stack_per_conv_layer_shrinking_with_each_pool() {
    let device = cpu();
    let model = CnnConfig::representation().init(&device);
    let maps = model.activations(image_tensor(&first_test_image(), &device));
    let shapes: Vec<[usize; 4]> = maps.iter().map(|m| m.dims()).collect();
    assert_eq!(
        shapes,
        vec![
            [1, 32, 28, 28],
            [1, 32, 14, 14],
            [1, 32, 7, 7],
            [1, 32, 3, 3]
        ]
    );
}

#[test]
fn conv1_activations_equal_a_direct_convolution() {
    let device = cpu();
    let model = CnnConfig::representation().init(&device);
    let image = first_test_image();
    let maps = model.activations(image_tensor(&image, &device));
    let got = maps[0].clone().into_data().try_to_vec::<f32>().unwrap(); // [1, 32, 28, 28]
    let (kernel, bias) = model.conv_parameters(0).unwrap();
    let kernel = kernel.into_data().try_to_vec::<f32>().unwrap(); // [32, 1, 3, 3]
    let bias = bias.unwrap().into_data().try_to_vec::<f32>().unwrap();
    let pixel = |x: i32, y: i32| {
        if (0..28).contains(&x) && (0..28).contains(&y) {
            f32::from(image[(y * 28 + x) as usize]) / 255.0
        } else {
            0.0 // same padding
        }
    };
    let mut worst = 0.0f32;
    for f in 0..32 {
        for y in 0..28 {
            for x in 0..28 {
                let mut sum = bias[f];
                for ky in 0..3 {
                    for kx in 0..3 {
                        sum += kernel[f * 9 + ky * 3 + kx]
                            * pixel(x + kx as i32 - 1, y + ky as i32 - 1);
                    }
                }
                let expected = sum.max(0.0);
                let actual = got[(f * 28 + y as usize) * 28 + x as usize];
                worst = worst.max((expected - actual).abs());
            }
        }
    }
    assert!(worst < 1e-5, "largest difference {worst}");
    assert!(got.iter().any(|&v| v > 0.0));
}
