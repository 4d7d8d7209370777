use burn::module::Module;
use burn::prelude::*;
use fashion_lab::model::CnnConfig;

#[allow(deprecated)]
fn cpu() -> Device {
    Device::ndarray()
}

#[test]
fn model4_has_628630_parameters() {
    let model = CnnConfig::model4().init(&cpu());
    assert_eq!(model.num_params(), 628_630);
}

#[test]
fn model4_gives_10_probabilities_per_image_that_sum_to_1() {
    let device = cpu();
    let model = CnnConfig::model4().init(&device);
    let images = Tensor::<4>::random([3, 1, 28, 28], burn::tensor::Distribution::Default, &device);
    let probs = model
        .probabilities(images)
        .into_data()
        .try_to_vec::<f32>()
        .unwrap();
    assert_eq!(probs.len(), 30);
    for row in probs.chunks(10) {
        let sum: f32 = row.iter().sum();
        assert!((sum - 1.0).abs() < 1e-5, "{sum}");
        assert!(row.iter().all(|&p| (0.0..=1.0).contains(&p)));
    }
}
