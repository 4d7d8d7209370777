//! Trains a model natively on the real data and writes a model file: this is how the pretrained
//! models the site ships (`assets/model4.bpk`, `assets/representation.bpk`) are made.
//!
//! `cargo run --release --bin fashion-lab-train -- --model model4 --out assets/model4.bpk`

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
    use std::path::PathBuf;

    use burn::tensor::Device;
    use clap::Parser;
    use fashion_lab::data::fashion_mnist::FashionMnist;
    use fashion_lab::data::split::split_70_15_15;
    use fashion_lab::model::CnnConfig;
    use fashion_lab::model::saved::{ModelInfo, encode_model};
    use fashion_lab::train::{TrainConfig, TrainEvent, Trainer, evaluate};

    /// Which architecture to train.
    #[derive(clap::ValueEnum, Clone, Copy, Debug)]
    pub enum ModelChoice {
        /// The original study's best model (1 conv layer, dense 100): 628,630 parameters.
        Model4,
        /// Its 4-conv-layer variant for the representations view: 32,374 parameters.
        Representation,
    }

    /// Train a model on the seeded training split and save it with its test accuracy.
    #[derive(Parser, Debug)]
    #[command(version)]
    pub struct Args {
        #[arg(long, value_enum, default_value = "model4")]
        model: ModelChoice,
        /// Folder holding the four Fashion-MNIST files (scripts/fetch-data.sh fills data/).
        #[arg(long, default_value = "data")]
        data: PathBuf,
        #[arg(long, default_value_t = 10)]
        epochs: usize,
        /// Train on only the first N images of the training split (all 49,000 by default).
        #[arg(long)]
        train_images: Option<usize>,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Where to write the model file.
        #[arg(long, default_value = "assets/model4.bpk")]
        out: PathBuf,
    }

    pub fn run(args: Args) -> Result<(), String> {
        let data = FashionMnist::load_dir(&args.data)?;
        let mut split = split_70_15_15(data.len(), args.seed);
        if let Some(n) = args.train_images {
            split.train.truncate(n.max(1));
        }
        #[allow(deprecated)] // the CPU backend the page falls back to
        let device = Device::ndarray();
        let (architecture, name) = match args.model {
            ModelChoice::Model4 => (CnnConfig::model4(), "model 4"),
            ModelChoice::Representation => (CnnConfig::representation(), "representation model"),
        };
        let config = TrainConfig {
            epochs: args.epochs,
            seed: args.seed,
            ..TrainConfig::default()
        };
        println!(
            "training {name} on {} images, validating on {}, {} epochs, seed {}",
            split.train.len(),
            split.validation.len(),
            config.epochs,
            config.seed
        );
        let mut trainer = Trainer::new(&architecture, config.learning_rate, config.seed, &device);
        let report = pollster::block_on(trainer.run(
            &data,
            &split.train,
            &split.validation,
            &config,
            || std::future::ready(()),
            |event| {
                if let TrainEvent::Epoch { record: e, .. } = event {
                    println!(
                        "epoch {:>2}: loss {:.4} accuracy {:.4} | validation loss {:.4} accuracy {:.4} | {:.0} s, {:.0} images/s",
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
        ))
        .map_err(|e| e.to_string())?;
        let model = trainer.model();
        let test = pollster::block_on(evaluate(
            &model,
            &data,
            &split.test,
            config.batch_size,
            &|| std::future::ready(()),
        ))
        .map_err(|e| e.to_string())?;
        println!(
            "test: loss {:.4} accuracy {:.4} on {} images ({:.0} s in all)",
            test.loss, test.accuracy, test.count, report.seconds
        );
        let info = ModelInfo {
            name: format!("{name} (pretrained)"),
            architecture,
            epochs: report.epochs.len(),
            validation_accuracy: report.final_validation().map(|m| m.accuracy),
            test_accuracy: Some(test.accuracy),
            trained: format!(
                "{} epochs on the {} training images of the seed-{} split, natively on the CPU (burn-ndarray)",
                report.epochs.len(),
                split.train.len(),
                args.seed
            ),
        };
        let bytes = pollster::block_on(encode_model(&model, &info)).map_err(|e| e.to_string())?;
        if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(&args.out, &bytes).map_err(|e| format!("{}: {e}", args.out.display()))?;
        println!("wrote {} ({} bytes)", args.out.display(), bytes.len());
        Ok(())
    }
}
