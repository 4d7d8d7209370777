//! The regularization study: the original study's eight configurations (plus one of our own),
//! early stopping, the top model retrained and scored on test, and the results as JSON and CSV.

pub mod configs;
pub mod curves;
pub mod early_stopping;
pub mod results;
pub mod runner;

pub use configs::{Regularization, StudyModel, study_models};
pub use early_stopping::EarlyStopping;
pub use results::{RunResult, RunStatus, StudyResults, TestResult};
pub use runner::{Scored, StudyProtocol, retrain_and_test, test_model, train_configuration};
