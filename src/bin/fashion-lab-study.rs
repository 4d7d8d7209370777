//! Runs the regularization study natively on the real data, over the same core as the page,
//! and writes the same results JSON the page exports.
//!
//! `cargo run --release --bin fashion-lab-study -- --out study.json`

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    use clap::Parser;
    match native::run(native::Args::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::ops::ControlFlow;
    use std::path::{Path, PathBuf};

    use burn::tensor::Device;
    use clap::Parser;
    use fashion_lab::data::fashion_mnist::FashionMnist;
    use fashion_lab::study::{
        RunResult, StudyProtocol, StudyResults, retrain_and_test, study_models, test_model,
        train_configuration,
    };
    use fashion_lab::train::TrainEvent;

    /// The CPU backend to train on.
    #[derive(clap::ValueEnum, Clone, Copy, Debug)]
    pub enum Backend {
        /// burn-flex: im2col + gemm convolutions (about 8x burn-ndarray on the 3-conv models).
        Flex,
        /// burn-ndarray, the backend of the page's CPU fallback.
        Ndarray,
    }

    #[derive(Parser, Debug)]
    #[command(about = "Run Fashion Lab's regularization study natively and write its results JSON")]
    pub struct Args {
        /// Folder with the four Fashion-MNIST IDX files (.gz or raw).
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Results JSON to write (after every run, so an interrupted study keeps its runs).
        #[arg(long, default_value = "study-results.json")]
        out: PathBuf,
        /// Configurations to run (1-8 from the original study, 9 ours).
        #[arg(long, value_delimiter = ',', default_value = "1,2,3,4,5,6,7,8,9")]
        models: Vec<usize>,
        /// Keep the finished runs already in --out and run only the others.
        #[arg(long)]
        resume: bool,
        /// Skip retraining the top model on training + validation and scoring it on test.
        #[arg(long)]
        no_test: bool,
        #[arg(long, value_enum, default_value = "flex")]
        backend: Backend,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Use only the first N training images.
        #[arg(long)]
        train_images: Option<usize>,
        #[arg(long)]
        validation_images: Option<usize>,
        #[arg(long)]
        test_images: Option<usize>,
        /// Cap every configuration's epochs.
        #[arg(long)]
        max_epochs: Option<usize>,
    }

    pub fn run(args: Args) -> Result<(), String> {
        let configurations = study_models();
        for id in &args.models {
            if !configurations.iter().any(|m| m.id == *id) {
                return Err(format!("there is no model {id}; the study has 1 to 9"));
            }
        }
        let data = FashionMnist::load_dir(&args.data)?;
        let protocol = StudyProtocol {
            seed: args.seed,
            train_images: args.train_images,
            validation_images: args.validation_images,
            test_images: args.test_images,
            max_epochs: args.max_epochs,
            ..StudyProtocol::default()
        };
        let split = protocol.split(data.len());
        #[allow(deprecated)]
        let (device, backend) = match args.backend {
            Backend::Flex => (Device::flex(), "burn-flex (CPU, native)"),
            Backend::Ndarray => (Device::ndarray(), "burn-ndarray (CPU, native)"),
        };
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as f64)
            .unwrap_or(0.0);
        let mut results = match args.resume.then(|| std::fs::read_to_string(&args.out)) {
            Some(Ok(text)) => StudyResults::from_json(&text)
                .map_err(|e| format!("{}: {e}", args.out.display()))?,
            Some(Err(e)) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(format!("{}: {e}", args.out.display()));
            }
            _ => StudyResults::new(
                protocol.seed,
                protocol.batch_size,
                protocol.learning_rate,
                now_ms,
            ),
        };
        println!(
            "study on {backend}: {} training, {} validation, {} test images, seed {}",
            split.train.len(),
            split.validation.len(),
            split.test.len(),
            protocol.seed
        );
        let ready = || std::future::ready(());
        for model in configurations
            .iter()
            .filter(|m| args.models.contains(&m.id))
        {
            if results
                .runs
                .iter()
                .any(|r| r.model.id == model.id && r.is_finished())
            {
                println!("{}: kept from {}", model.name(), args.out.display());
                continue;
            }
            println!("{} ({}):", model.name(), model.summary());
            let (mut run, kept) = pollster::block_on(train_configuration(
                model,
                &data,
                &split,
                &protocol,
                &device,
                backend,
                ready,
                |event| {
                    if let TrainEvent::Epoch { record: e, .. } = event {
                        println!(
                            "  epoch {:>2}: loss {:.4} acc {:.4} | val loss {:.4} acc {:.4} | {:.0} s, {:.0} images/s",
                            e.epoch,
                            e.train.loss,
                            e.train.accuracy,
                            e.validation.loss,
                            e.validation.accuracy,
                            e.seconds,
                            e.images_per_second()
                        );
                    }
                    ControlFlow::Continue(())
                },
            ));
            if let (false, Some(kept)) = (model.from_original_study(), &kept) {
                let scored = pollster::block_on(test_model(
                    kept,
                    &data,
                    &split.test,
                    protocol.batch_size,
                    &ready,
                ))
                .map_err(|e| e.to_string())?;
                println!(
                    "  test: loss {:.4} accuracy {:.4}",
                    scored.metrics.loss, scored.metrics.accuracy
                );
                run.test = Some(scored.metrics);
            }
            if let Some(at) = run.stopped_early_at {
                println!(
                    "  early stopping at epoch {at}, kept epoch {}",
                    run.kept_epoch
                );
            }
            println!("  {:?} in {:.0} s", run.status, run.seconds);
            results.record(run);
            write(&args.out, &results)?;
        }
        if !args.no_test
            && let Some(best) = results.best_run().cloned()
        {
            println!(
                "top model: {} (validation accuracy {:.4}); retraining on training + validation for {} epochs",
                best.model.name(),
                best.validation.map_or(f64::NAN, |v| v.accuracy),
                best.kept_epoch
            );
            let outcome = pollster::block_on(retrain_and_test(
                &best,
                &data,
                &split,
                &protocol,
                &device,
                backend,
                ready,
                |_| ControlFlow::Continue(()),
            ))
            .map_err(|e| e.to_string())?;
            if let Some((test, _)) = outcome {
                println!(
                    "  test: loss {:.4} accuracy {:.4} on {} images ({:.0} s)",
                    test.test.loss, test.test.accuracy, test.test.count, test.seconds
                );
                results.top = Some(test);
                write(&args.out, &results)?;
            }
        }
        print_table(&results.runs);
        println!("wrote {}", args.out.display());
        Ok(())
    }

    fn write(path: &Path, results: &StudyResults) -> Result<(), String> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let partial = path.with_extension("json.partial");
        std::fs::write(&partial, results.to_json())
            .and_then(|()| std::fs::rename(&partial, path))
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    fn print_table(runs: &[RunResult]) {
        println!(
            "\n| model | conv layers | regularization | parameters | epochs run | training time (s) | validation accuracy | validation loss | best validation accuracy | test accuracy |"
        );
        println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for run in runs {
            let v = run.validation;
            println!(
                "| {} | {} | {} | {} | {}{} | {:.0} | {} | {} | {} | {} |",
                run.model.id,
                run.model.conv_layers(),
                run.model.regularization.label(),
                run.parameters,
                run.epochs_run(),
                run.stopped_early_at
                    .map(|_| format!(" (kept {})", run.kept_epoch))
                    .unwrap_or_default(),
                run.seconds,
                v.map_or("-".into(), |v| format!("{:.4}", v.accuracy)),
                v.map_or("-".into(), |v| format!("{:.4}", v.loss)),
                run.best_validation_accuracy
                    .map_or("-".into(), |a| format!("{a:.4}")),
                run.test
                    .map_or("-".into(), |t| format!("{:.4}", t.accuracy)),
            );
        }
    }
}
