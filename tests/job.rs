//! A training job as the page's worker runs it: its events, its outcome, the model files that
//! travel back, stopping, bad input, and the messages' JSON form.

mod common;

use std::cell::Cell;

use burn::prelude::*;
use fashion_lab::data::fashion_mnist::FashionMnist;
use fashion_lab::data::split::split_70_15_15;
use fashion_lab::job::{Compute, FromWorker, Job, JobEvent, JobOutcome, ToWorker, run_job};
use fashion_lab::model::CnnConfig;
use fashion_lab::model::saved::decode_model;
use fashion_lab::study::{RunStatus, StudyProtocol, study_models};
use fashion_lab::train::{Metrics, TrainConfig, evaluate};

#[allow(deprecated)]
fn cpu() -> Device {
    Device::flex()
}

fn ready() -> std::future::Ready<()> {
    std::future::ready(())
}

/// Runs `job`, collecting what it sends; `stop_after` steps, the job is asked to stop.
fn run(
    job: &Job,
    data: &FashionMnist,
    stop_after: Option<usize>,
) -> (
    Vec<(JobEvent, Option<Vec<u8>>)>,
    JobOutcome,
    Option<Vec<u8>>,
) {
    let mut events = Vec::new();
    let steps = Cell::new(0);
    let (outcome, model) = pollster::block_on(run_job(
        job,
        data,
        &cpu(),
        ready,
        || stop_after.is_some_and(|n| steps.get() >= n),
        |(event, bytes)| {
            if matches!(event, JobEvent::Step { .. }) {
                steps.set(steps.get() + 1);
            }
            events.push((event, bytes));
        },
    ));
    (events, outcome, model)
}

#[test]
fn a_train_job_reports_steps_epochs_snapshots_and_returns_its_model() {
    let data = common::real_data();
    let split = split_70_15_15(data.len(), 42);
    let job = Job::Train {
        architecture: CnnConfig::model4(),
        config: TrainConfig {
            epochs: 2,
            snapshot_every: Some(3),
            report_every: 2,
            ..TrainConfig::default()
        },
        train: split.train[..1024].to_vec(),
        validation: split.validation[..512].to_vec(),
    };
    let (events, outcome, model) = run(&job, &data, None);

    let steps: Vec<_> = events
        .iter()
        .filter_map(|(e, _)| match e {
            JobEvent::Step {
                epoch,
                step,
                steps,
                running,
            } => Some((*epoch, *step, *steps, *running)),
            _ => None,
        })
        .collect();
    assert_eq!(steps.len(), 16, "8 steps of 128 in each of 2 epochs");
    assert_eq!(steps[0].2, 8);
    assert_eq!(steps.last().map(|s| (s.0, s.1)), Some((2, 8)));
    // Running metrics every 2 steps (not on the last step of an epoch: the epoch reports it).
    assert!(steps[1].3.is_some() && steps[0].3.is_none());

    let epochs: Vec<_> = events
        .iter()
        .filter_map(|(e, _)| match e {
            JobEvent::Epoch(record) => Some(record.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(epochs.iter().map(|r| r.epoch).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(epochs[0].train.count, 1024);
    assert_eq!(epochs[0].validation.count, 512);

    // Snapshots every 3 steps, each with a model file the page can read.
    let snapshots: Vec<_> = events
        .iter()
        .filter(|(e, _)| matches!(e, JobEvent::Snapshot { .. }))
        .collect();
    assert_eq!(snapshots.len(), 4, "steps 3 and 6 of each epoch");
    assert_eq!(
        snapshots[0].0,
        JobEvent::Snapshot {
            epoch: 1,
            step: 3,
            steps: 8
        }
    );
    for (_, bytes) in &snapshots {
        let (snapshot, info) = decode_model(bytes.as_ref().expect("a model file"), &cpu()).unwrap();
        assert_eq!(info.architecture, CnnConfig::model4());
        assert_eq!(snapshot.conv_layers(), 1);
    }
    assert!(
        events
            .iter()
            .all(|(e, bytes)| bytes.is_some() == matches!(e, JobEvent::Snapshot { .. }))
    );

    // The returned model is the trained one: it scores what the last epoch reported (its
    // weights travel as f16, so to within a few images).
    let JobOutcome::Trained(report) = outcome else {
        panic!("expected Trained, got {outcome:?}");
    };
    assert!(!report.stopped);
    assert_eq!(report.epochs, epochs);
    let (trained, _) = decode_model(&model.expect("the model file"), &cpu()).unwrap();
    let rescored = pollster::block_on(evaluate(
        &trained,
        &data,
        &split.validation[..512],
        128,
        &ready,
    ))
    .unwrap();
    let reported = epochs[1].validation.accuracy;
    assert!(
        (rescored.accuracy - reported).abs() <= 4.0 / 512.0,
        "returned model scores {} where the job reported {reported}",
        rescored.accuracy
    );
    assert!(reported > 0.5, "16 steps of model 4 learn: {reported}");
}

#[test]
fn a_stopped_train_job_ends_at_once_with_what_it_has() {
    let data = common::real_data();
    let job = Job::Train {
        architecture: CnnConfig::model4(),
        config: TrainConfig::default(),
        train: (0..2560).collect(),
        validation: (60_000..60_500).collect(),
    };
    let (events, outcome, model) = run(&job, &data, Some(3));
    let steps = events
        .iter()
        .filter(|(e, _)| matches!(e, JobEvent::Step { .. }))
        .count();
    assert_eq!(steps, 3, "stopped after the step that saw the request");
    let JobOutcome::Trained(report) = outcome else {
        panic!("expected Trained, got {outcome:?}");
    };
    assert!(report.stopped);
    assert!(report.epochs.is_empty());
    assert!(
        model.is_some(),
        "the model as it was when stopped comes back"
    );
}

#[test]
fn a_job_with_images_the_worker_does_not_hold_fails_with_a_message() {
    let data = FashionMnist::from_pixels(vec![0; 784 * 10], vec![3; 10]).unwrap();
    let job = Job::Train {
        architecture: CnnConfig::model4(),
        config: TrainConfig::default(),
        train: vec![0, 1, 12],
        validation: vec![2],
    };
    let (events, outcome, model) = run(&job, &data, None);
    assert!(events.is_empty() && model.is_none());
    assert_eq!(
        outcome,
        JobOutcome::Failed("image 12 is not in the worker's 10 images".into())
    );
    let empty = Job::Train {
        architecture: CnnConfig::model4(),
        config: TrainConfig::default(),
        train: vec![],
        validation: vec![],
    };
    assert_eq!(
        run(&empty, &data, None).1,
        JobOutcome::Failed("no training images were chosen".into())
    );
}

#[test]
fn the_data_set_travels_as_pixels_and_labels() {
    let data = common::real_data();
    let copy = FashionMnist::from_pixels(data.pixels().to_vec(), data.labels().to_vec()).unwrap();
    assert_eq!(copy, data);
    assert_eq!(copy.len(), 70_000);
    assert_eq!(
        FashionMnist::from_pixels(vec![0; 784 * 2 - 1], vec![1, 2])
            .unwrap_err()
            .to_string(),
        "the file is truncated: the header promises 1568 data bytes, found 1567"
    );
    assert_eq!(
        FashionMnist::from_pixels(vec![0; 784 * 2], vec![1, 10])
            .unwrap_err()
            .to_string(),
        "label 10 at position 1 is outside the classes 0-9"
    );
}

#[test]
fn a_study_run_and_the_top_models_test_run_as_jobs() {
    let data = common::real_data();
    let protocol = StudyProtocol {
        train_images: Some(768),
        validation_images: Some(256),
        test_images: Some(256),
        max_epochs: Some(2),
        ..StudyProtocol::default()
    };
    let model = study_models().into_iter().find(|m| m.id == 2).unwrap();
    let job = Job::StudyRun {
        model,
        protocol: protocol.clone(),
        backend: "CPU (test)".into(),
    };
    let (events, outcome, bytes) = run(&job, &data, None);
    assert!(bytes.is_none());
    assert_eq!(
        events
            .iter()
            .filter(|(e, _)| matches!(e, JobEvent::Epoch(_)))
            .count(),
        2
    );
    let JobOutcome::StudyRun {
        run: result,
        test_error,
    } = outcome
    else {
        panic!("expected StudyRun, got {outcome:?}");
    };
    assert_eq!(test_error, None);
    assert_eq!(result.status, RunStatus::Finished);
    assert_eq!((result.train_images, result.validation_images), (768, 256));
    assert_eq!(result.backend, "CPU (test)");
    assert!(
        result.test.is_none(),
        "original-study runs are not tested one by one"
    );

    let retrain = Job::RetrainAndTest {
        run: result,
        protocol,
        backend: "CPU (test)".into(),
    };
    let (_, outcome, bytes) = run(&retrain, &data, None);
    let JobOutcome::Tested(Some(test)) = outcome else {
        panic!("expected Tested(Some), got {outcome:?}");
    };
    assert_eq!(test.train_images, 1024);
    assert_eq!(test.test.count, 256);
    let confusion_total: u32 = test.confusion.iter().flatten().sum();
    assert_eq!(confusion_total, 256);
    assert!(test.test.accuracy > 0.5, "{}", test.test.accuracy);
    let (_, info) = decode_model(&bytes.expect("the top model's file"), &cpu()).unwrap();
    assert_eq!(info.architecture, CnnConfig::default());
}

#[test]
fn a_nan_learning_rate_and_an_infinite_loss_survive_json() {
    // The page's `?lr=NaN` experiment: the worker must get the NaN to report the divergence.
    let job = Job::Train {
        architecture: CnnConfig::model4(),
        config: TrainConfig {
            learning_rate: f64::NAN,
            ..TrainConfig::default()
        },
        train: vec![1],
        validation: vec![],
    };
    let text = serde_json::to_string(&job).unwrap();
    assert!(text.contains(r#""learning_rate":"NaN""#), "{text}");
    let Job::Train { config, .. } = serde_json::from_str::<Job>(&text).unwrap() else {
        panic!("not a Train job");
    };
    assert!(config.learning_rate.is_nan());
    let metrics = Metrics {
        loss: f64::INFINITY,
        accuracy: 0.1,
        count: 3,
    };
    let text = serde_json::to_string(&metrics).unwrap();
    assert_eq!(text, r#"{"loss":"inf","accuracy":0.1,"count":3}"#);
    assert_eq!(serde_json::from_str::<Metrics>(&text).unwrap(), metrics);
    // What serde_json wrote for a NaN before (null) reads back as NaN; a stray word is refused.
    let old = serde_json::from_str::<Metrics>(r#"{"loss":null,"accuracy":0,"count":3}"#).unwrap();
    assert!(old.loss.is_nan() && old.accuracy == 0.0);
    let error = serde_json::from_str::<Metrics>(r#"{"loss":"lots","accuracy":0,"count":3}"#)
        .unwrap_err()
        .to_string();
    assert!(error.contains("\"lots\" is not a number"), "{error}");
}

#[test]
fn jobs_events_and_outcomes_read_back_from_json() {
    let job = Job::StudyRun {
        model: study_models().remove(8),
        protocol: StudyProtocol {
            train_images: Some(512),
            ..StudyProtocol::default()
        },
        backend: "WebGPU".into(),
    };
    let text = serde_json::to_string(&job).unwrap();
    assert_eq!(serde_json::from_str::<Job>(&text).unwrap(), job);
    let event = JobEvent::Step {
        epoch: 1,
        step: 2,
        steps: 3,
        running: None,
    };
    let text = serde_json::to_string(&event).unwrap();
    assert_eq!(serde_json::from_str::<JobEvent>(&text).unwrap(), event);
    let outcome = JobOutcome::Failed("the compute device failed: lost".into());
    let text = serde_json::to_string(&outcome).unwrap();
    assert_eq!(serde_json::from_str::<JobOutcome>(&text).unwrap(), outcome);
    let start = ToWorker::Start {
        job,
        compute: Compute::WebGpu,
    };
    let text = serde_json::to_string(&start).unwrap();
    assert_eq!(serde_json::from_str::<ToWorker>(&text).unwrap(), start);
    // The worker's bootstrap script writes this one by hand when the app's module fails to load.
    assert_eq!(
        serde_json::from_str::<FromWorker>(r#"{"Crashed":"import failed"}"#).unwrap(),
        FromWorker::Crashed("import failed".into())
    );
    assert_eq!(
        serde_json::to_string(&FromWorker::Loaded).unwrap(),
        r#""Loaded""#
    );
}
