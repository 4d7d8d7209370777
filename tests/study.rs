//! The regularization study: its configurations, early stopping, L2, dropout, the results
//! JSON and CSV, and the top model's test on real data.

mod common;

use std::ops::ControlFlow;

use burn::module::Module;
use burn::prelude::*;
use fashion_lab::data::batch::{make_batch, transformed};
use fashion_lab::data::fashion_mnist::FashionMnist;
use fashion_lab::data::idx::IdxImages;
use fashion_lab::data::split::Split;
use fashion_lab::model::CnnConfig;
use fashion_lab::study::{
    EarlyStopping, Regularization, RunStatus, StudyProtocol, StudyResults, retrain_and_test,
    study_models, train_configuration,
};
use fashion_lab::train::{LrSchedule, Trainer, evaluate};

#[allow(deprecated)]
fn cpu() -> Device {
    Device::flex()
}

fn ready() -> std::future::Ready<()> {
    std::future::ready(())
}

#[test]
fn the_eight_configurations_match_the_original_studys_parameter_counts() {
    let device = cpu();
    let models = study_models();
    let counts: Vec<(usize, usize)> = models
        .iter()
        .map(|m| (m.id, m.architecture.init(&device).num_params()))
        .collect();
    // The count the page shows before building a model is the built model's.
    for (model, &(_, built)) in models.iter().zip(&counts) {
        assert_eq!(
            model.architecture.parameter_count(),
            built,
            "model {}",
            model.id
        );
    }
    assert_eq!(
        counts[..8],
        [
            (1, 19_146),
            (2, 63_050),
            (3, 23_126),
            (4, 628_630),
            (5, 19_146),
            (6, 63_050),
            (7, 19_146),
            (8, 63_050)
        ]
    );
    let layers: Vec<usize> = models.iter().map(|m| m.conv_layers()).collect();
    assert_eq!(layers, [3, 1, 3, 1, 3, 1, 3, 1, 3]);
    assert!(
        models[..8]
            .iter()
            .all(|m| m.from_original_study() && m.epochs == 10)
    );
    assert_eq!(models[4].architecture.dropout, 0.1);
    assert_eq!(models[6].early_stopping_patience, Some(1));
    assert_eq!(models[7].early_stopping_patience, Some(1));
    assert_eq!(models[2].architecture.hidden_l2, 1e-5);
    // The ninth is ours, marked as such, and stays a size the browser can train.
    let ninth = &models[8];
    assert_eq!(ninth.regularization, Regularization::OwnDesign);
    assert!(!ninth.from_original_study());
    assert_eq!(ninth.epochs, 15);
    assert_eq!(counts[8].1, 640_618);
}

#[test]
fn early_stopping_stops_after_patience_and_keeps_the_best_epoch() {
    let device = cpu();
    let models: Vec<_> = (1..=4)
        .map(|units| {
            CnnConfig {
                hidden_units: Some(units),
                ..CnnConfig::default()
            }
            .init(&device)
        })
        .collect();
    let mut early = EarlyStopping::new(1);
    assert!(early.observe(1, 1.0, || models[0].clone()).is_continue());
    assert!(early.observe(2, 0.8, || models[1].clone()).is_continue());
    // Not better: with patience 1 this stops, and the model is not even asked for.
    let flow = early.observe(3, 0.9, || panic!("a worse epoch's weights are not copied"));
    assert!(flow.is_break());
    assert_eq!(early.stopped_at(), Some(3));
    assert_eq!(early.best_epoch(), Some((2, 0.8)));
    let restored = early.into_best_model().unwrap();
    assert_eq!(restored.num_params(), models[1].num_params());
    assert_ne!(restored.num_params(), models[2].num_params());
}

/// Real training images with their labels, and real validation images with every label moved
/// to the next class: the better the model learns, the higher its validation loss.
fn rising_validation_loss_data() -> (FashionMnist, Split) {
    let real = common::real_data();
    let split = StudyProtocol::default().split(real.len());
    let part = |indices: &[u32], shift: u8| {
        let pixels = indices
            .iter()
            .flat_map(|&i| real.image(i as usize).to_vec())
            .collect();
        let labels = indices
            .iter()
            .map(|&i| (real.label(i as usize) + shift) % 10)
            .collect();
        (
            IdxImages {
                count: indices.len(),
                pixels,
            },
            labels,
        )
    };
    let data = FashionMnist::from_parts(vec![
        part(&split.train[..3000], 0),
        part(&split.validation[..500], 1),
    ])
    .unwrap();
    let split = Split {
        train: (0..3000).collect(),
        validation: (3000..3500).collect(),
        test: (3000..3500).collect(),
    };
    (data, split)
}

#[test]
fn early_stopping_in_a_run_stops_when_validation_loss_rises_and_restores_the_best_weights() {
    let device = cpu();
    let (data, split) = rising_validation_loss_data();
    let model7 = study_models().into_iter().find(|m| m.id == 7).unwrap();
    assert_eq!(model7.regularization, Regularization::EarlyStopping);
    let (run, kept) = pollster::block_on(train_configuration(
        &model7,
        &data,
        &split,
        &StudyProtocol::default(),
        &device,
        "test",
        ready,
        |_| ControlFlow::Continue(()),
    ));
    assert_eq!(run.status, RunStatus::Finished);
    let losses: Vec<f64> = run.epochs.iter().map(|e| e.validation.loss).collect();
    assert_eq!(run.epochs_run(), 2, "validation losses {losses:?}");
    assert!(losses[1] > losses[0]);
    assert_eq!(run.stopped_early_at, Some(2));
    assert_eq!(run.kept_epoch, 1);
    assert_eq!(run.validation, Some(run.epochs[0].validation));
    // The model handed back is epoch 1's, not epoch 2's.
    let kept = kept.unwrap();
    let again = pollster::block_on(evaluate(&kept, &data, &split.validation, 128, &ready)).unwrap();
    assert!(
        (again.loss - losses[0]).abs() < 1e-4,
        "restored model's validation loss {} vs epoch 1 {} (epoch 2 {})",
        again.loss,
        losses[0],
        losses[1]
    );
}

#[test]
fn the_l2_penalty_adds_exactly_coefficient_times_the_squared_kernel() {
    let device = cpu();
    let data = common::real_data();
    let model4 = CnnConfig::model4();
    let trainer = Trainer::new(&model4, 1e-3, 7, &device);
    let indices: Vec<u32> = (0..64).collect();
    let batch = make_batch(&data, &indices, trainer.device());
    let losses = trainer.losses(batch.images, batch.targets);
    let kernel: Vec<f32> = trainer
        .model()
        .hidden_kernel()
        .unwrap()
        .into_data()
        .try_to_vec()
        .unwrap();
    assert_eq!(kernel.len(), 6272 * 100);
    let expected: f64 = 1e-5 * kernel.iter().map(|&w| f64::from(w).powi(2)).sum::<f64>();
    let data_loss = f64::from(losses.data_loss.into_scalar::<f32>());
    let objective = f64::from(losses.objective.into_scalar::<f32>());
    let penalty = objective - data_loss;
    assert!(expected > 1e-4, "the penalty is measurable: {expected}");
    assert!(
        (penalty - expected).abs() < 1e-6,
        "penalty {penalty} vs 1e-5 * sum(w^2) = {expected}"
    );
    // Without L2 the objective is the cross-entropy alone.
    let plain = Trainer::new(&CnnConfig::default(), 1e-3, 7, &device);
    let batch = make_batch(&data, &indices, plain.device());
    let losses = plain.losses(batch.images, batch.targets);
    assert_eq!(
        losses.objective.into_scalar::<f32>(),
        losses.data_loss.into_scalar::<f32>()
    );
}

#[test]
fn dropout_is_active_in_training_and_off_in_evaluation() {
    let device = cpu();
    let data = common::real_data();
    let model5 = study_models().into_iter().find(|m| m.id == 5).unwrap();
    let trainer = Trainer::new(&model5.architecture, 1e-3, 3, &device);
    let indices: Vec<u32> = (0..32).collect();
    let train_batch = make_batch(&data, &indices, trainer.device());
    let a: Vec<f32> = trainer
        .losses(train_batch.images.clone(), train_batch.targets.clone())
        .logits
        .into_data()
        .try_to_vec()
        .unwrap();
    let b: Vec<f32> = trainer
        .losses(train_batch.images, train_batch.targets)
        .logits
        .into_data()
        .try_to_vec()
        .unwrap();
    assert_ne!(a, b, "training forward passes drop different units");
    let model = trainer.model();
    let batch = make_batch(&data, &indices, &device);
    let c: Vec<f32> = model
        .forward(batch.images.clone())
        .into_data()
        .try_to_vec()
        .unwrap();
    let d: Vec<f32> = model
        .forward(batch.images)
        .into_data()
        .try_to_vec()
        .unwrap();
    assert_eq!(c, d, "evaluation is deterministic: no dropout");
}

#[test]
fn augmentation_shifts_with_background_fill() {
    let mut image = vec![0u8; 784];
    image[0] = 255; // top-left corner
    image[28 + 5] = 51; // row 1, column 5
    let plain: Vec<f32> = transformed(&image, 0, 0).collect();
    assert_eq!(plain[0], 1.0);
    assert_eq!(plain[33], 0.2);
    let shifted: Vec<f32> = transformed(&image, 2, 1).collect();
    assert_eq!(shifted[28 + 2], 1.0);
    assert_eq!(shifted[2 * 28 + 7], 0.2);
    assert_eq!(shifted.iter().filter(|&&p| p > 0.0).count(), 2);
    let out: Vec<f32> = transformed(&image, -1, 0).collect();
    assert_eq!(
        out.iter().filter(|&&p| p > 0.0).count(),
        1,
        "shifted off the edge"
    );
}

#[test]
fn cosine_schedule_goes_from_the_rate_to_its_floor() {
    let cosine = LrSchedule::Cosine { floor: 0.05 };
    assert_eq!(cosine.rate(1e-3, 0, 100), 1e-3);
    assert!((cosine.rate(1e-3, 99, 100) - 5e-5).abs() < 1e-12);
    assert!((cosine.rate(1e-3, 50, 101) - 5.25e-4).abs() < 1e-9);
    assert_eq!(LrSchedule::Constant.rate(1e-3, 99, 100), 1e-3);
}

#[test]
fn a_small_real_study_round_trips_through_json_and_csv_and_scores_its_top_model() {
    let device = cpu();
    let data = common::real_data();
    let protocol = StudyProtocol {
        train_images: Some(4000),
        validation_images: Some(1000),
        test_images: Some(1000),
        max_epochs: Some(2),
        ..StudyProtocol::default()
    };
    let split = protocol.split(data.len());
    let mut results = StudyResults::new(protocol.seed, 128, 1e-3, 0.0);
    for model in study_models().iter().filter(|m| [2, 9].contains(&m.id)) {
        let (run, kept) = pollster::block_on(train_configuration(
            model,
            &data,
            &split,
            &protocol,
            &device,
            "burn-flex (test)",
            ready,
            |_| ControlFlow::Continue(()),
        ));
        assert!(kept.is_some());
        assert_eq!(run.epochs_run(), 2);
        results.record(run);
    }
    let best = results.best_run().unwrap().clone();
    assert_eq!(best.model.id, 2, "the ninth is not from the original study");
    assert!(
        best.validation.unwrap().accuracy > 0.75,
        "{:?}",
        best.validation
    );
    let (test, _) = pollster::block_on(retrain_and_test(
        &best,
        &data,
        &split,
        &protocol,
        &device,
        "burn-flex (test)",
        ready,
        |_| ControlFlow::Continue(()),
    ))
    .unwrap()
    .unwrap();
    assert_eq!(test.train_images, 5000);
    assert_eq!(test.test.count, 1000);
    let total: u32 = test.confusion.iter().flatten().sum();
    let diagonal: u32 = (0..10).map(|c| test.confusion[c][c]).sum();
    assert_eq!(total, 1000);
    assert!((test.test.accuracy - f64::from(diagonal) / 1000.0).abs() < 1e-12);
    assert!(
        test.test.accuracy > 0.75,
        "test accuracy {}",
        test.test.accuracy
    );
    assert!(test.mistakes.iter().all(|m| m.truth != m.predicted));
    assert_eq!(test.mistakes.len(), 48);
    let per_class = test.per_class_accuracy();
    assert!(per_class.iter().all(|a| (0.0..=1.0).contains(a)));
    results.top = Some(test);

    let json = results.to_json();
    let back = StudyResults::from_json(&json).unwrap();
    assert_eq!(back.runs.len(), results.runs.len());
    assert_eq!(
        back.top.as_ref().map(|t| t.confusion),
        results.top.as_ref().map(|t| t.confusion)
    );
    assert_same_json(
        &serde_json::from_str(&back.to_json()).unwrap(),
        &serde_json::from_str(&json).unwrap(),
        "study",
    );
    let csv = results.to_csv();
    assert_eq!(csv.lines().count(), 1 + 4);
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .starts_with("2,1,none,63050,finished,1,")
    );
    let future = json.replace("\"format\": 1", "\"format\": 99");
    assert!(
        StudyResults::from_json(&future)
            .unwrap_err()
            .contains("format 99")
    );
    assert!(
        StudyResults::from_json("<html>")
            .unwrap_err()
            .starts_with("not a Fashion Lab study")
    );
}

/// The study the site ships (`assets/study-reference.json`, written by `fashion-lab-study` on
/// all the data) is readable by this version and holds what the study promises.
#[test]
fn the_reference_study_shipped_with_the_site_is_complete_and_meets_the_floors() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/study-reference.json");
    let text = std::fs::read_to_string(path).expect("assets/study-reference.json is shipped");
    let study = StudyResults::from_json(&text).unwrap();
    assert_eq!(study.seed, 42);
    assert_eq!(study.batch_size, 128);
    let ids: Vec<usize> = study.runs.iter().map(|r| r.model.id).collect();
    assert_eq!(ids, (1..=9).collect::<Vec<_>>());
    let configurations = study_models();
    for (run, model) in study.runs.iter().zip(&configurations) {
        assert_eq!(
            &run.model, model,
            "the stored configuration is this version's"
        );
        assert_eq!(run.status, RunStatus::Finished);
        assert_eq!((run.train_images, run.validation_images), (49_000, 10_500));
        assert_eq!(run.parameters, model.architecture.parameter_count());
        let validation = run.validation.unwrap();
        assert_eq!(validation.count, 10_500);
        assert!(
            validation.accuracy >= 0.86,
            "model {} validation {validation:?}",
            run.model.id
        );
        match run.stopped_early_at {
            // Early stopping kept the epoch with the lowest validation loss.
            Some(at) => {
                assert_eq!(at, run.epochs_run());
                let best = run
                    .epochs
                    .iter()
                    .min_by(|a, b| a.validation.loss.total_cmp(&b.validation.loss))
                    .unwrap();
                assert_eq!(run.kept_epoch, best.epoch);
            }
            None => assert_eq!(run.epochs_run(), model.epochs),
        }
    }
    let ninth = study.runs[8].test.expect("the ninth is scored on test");
    assert_eq!(ninth.count, 10_500);
    assert!(
        ninth.accuracy >= 0.935,
        "ninth configuration test {ninth:?}"
    );
    let top = study.top.as_ref().expect("the top model was tested");
    assert_eq!(top.model_id, study.best_run().unwrap().model.id);
    assert_eq!((top.train_images, top.test.count), (59_500, 10_500));
    assert!(top.test.accuracy >= 0.90, "top model test {:?}", top.test);
    let total: u32 = top.confusion.iter().flatten().sum();
    assert_eq!(total, 10_500);
}

/// The same JSON tree, numbers equal to the last bit but one: serde_json's default parser may
/// read a 17-digit decimal one unit in the last place off (its exact mode would rebuild the
/// whole burn stack for a test).
fn assert_same_json(a: &serde_json::Value, b: &serde_json::Value, at: &str) {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!(
                x == y || (x - y).abs() <= 4.0 * f64::EPSILON * x.abs().max(y.abs()),
                "{at}: {x} != {y}"
            );
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{at}");
            for (i, (x, y)) in x.iter().zip(y).enumerate() {
                assert_same_json(x, y, &format!("{at}[{i}]"));
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(
                x.keys().collect::<Vec<_>>(),
                y.keys().collect::<Vec<_>>(),
                "{at}"
            );
            for (key, x) in x {
                assert_same_json(x, &y[key], &format!("{at}.{key}"));
            }
        }
        (x, y) => assert_eq!(x, y, "{at}"),
    }
}
