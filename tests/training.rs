//! Model 4 trained briefly on real Fashion-MNIST (CPU backend) learns the task.

mod common;

use std::ops::ControlFlow;

use burn::prelude::*;
use fashion_lab::data::fashion_mnist::FashionMnist;
use fashion_lab::data::split::split_70_15_15;
use fashion_lab::model::CnnConfig;
use fashion_lab::train::{TrainConfig, TrainEvent, TrainReport, Trainer};

/// Trains a fresh model 4 on the CPU for `epochs`, passing every event to `on_event`.
fn train_model4(
    data: &FashionMnist,
    train: &[u32],
    validation: &[u32],
    epochs: usize,
    on_event: impl FnMut(TrainEvent) -> ControlFlow<()>,
) -> TrainReport {
    #[allow(deprecated)]
    let device = Device::ndarray();
    let config = TrainConfig {
        epochs,
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(
        &CnnConfig::model4(),
        config.learning_rate,
        config.seed,
        &device,
    );
    pollster::block_on(trainer.run(
        data,
        train,
        validation,
        &config,
        || std::future::ready(()),
        on_event,
    ))
    .expect("training runs")
}

#[test]
fn model4_reaches_75_percent_on_1000_validation_images_after_2_epochs_on_5000() {
    let data = common::real_data();
    assert_eq!(data.len(), 70_000);
    let split = split_70_15_15(data.len(), 42);
    let mut steps = 0;
    let report = train_model4(
        &data,
        &split.train[..5_000],
        &split.validation[..1_000],
        2,
        |event| {
            if let TrainEvent::Step { .. } = event {
                steps += 1;
            }
            ControlFlow::Continue(())
        },
    );
    assert_eq!(steps, 2 * 5_000usize.div_ceil(128));
    assert_eq!(report.epochs.len(), 2);
    let validation = report.final_validation().unwrap();
    assert_eq!(validation.count, 1_000);
    println!("validation after 2 epochs on 5,000 images: {validation:?}");
    assert!(
        validation.accuracy >= 0.75,
        "validation accuracy {}",
        validation.accuracy
    );
    // Training loss falls from the first epoch to the second.
    assert!(report.epochs[1].train.loss < report.epochs[0].train.loss);
}

#[test]
fn stop_request_ends_the_run_early() {
    let data = common::real_data();
    let split = split_70_15_15(data.len(), 42);
    let report = train_model4(
        &data,
        &split.train[..1_280],
        &split.validation[..128],
        3,
        |event| match event {
            TrainEvent::Step { step: 3, .. } => ControlFlow::Break(()),
            _ => ControlFlow::Continue(()),
        },
    );
    assert!(report.stopped);
    assert!(report.epochs.is_empty());
}

#[test]
fn snapshots_of_the_model_arrive_every_n_steps() {
    let data = common::real_data();
    let split = split_70_15_15(data.len(), 42);
    #[allow(deprecated)]
    let device = Device::ndarray();
    let config = TrainConfig {
        epochs: 1,
        snapshot_every: Some(4),
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(
        &CnnConfig::representation(),
        config.learning_rate,
        config.seed,
        &device,
    );
    let mut snapshots = Vec::new();
    let mut step = 0;
    pollster::block_on(trainer.run(
        &data,
        &split.train[..1_280],
        &split.validation[..128],
        &config,
        || std::future::ready(()),
        |event| {
            match event {
                TrainEvent::Step { step: s, .. } => step = s,
                TrainEvent::Snapshot(model) => snapshots.push((step, model.conv_layers())),
                TrainEvent::Epoch { .. } => {}
            }
            ControlFlow::Continue(())
        },
    ))
    .unwrap();
    // 10 steps of 128: snapshots after steps 4 and 8, of the 4-conv model.
    assert_eq!(snapshots, vec![(4, 4), (8, 4)]);
}
