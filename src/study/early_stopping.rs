//! Early stopping on the validation loss, with the best weights restored (Keras'
//! `EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True)`).

use std::ops::ControlFlow;

use crate::model::Cnn;

/// Watches the validation loss epoch by epoch and keeps the best model seen.
#[derive(Debug)]
pub struct EarlyStopping {
    patience: usize,
    best: Option<(usize, f64, Cnn)>,
    epochs_without_improvement: usize,
    stopped_at: Option<usize>,
}

impl EarlyStopping {
    pub fn new(patience: usize) -> Self {
        Self {
            patience: patience.max(1),
            best: None,
            epochs_without_improvement: 0,
            stopped_at: None,
        }
    }

    /// Records epoch `epoch`'s validation loss; `model` is called for a copy of the weights only
    /// when they are the best so far. `Break` when training should stop.
    pub fn observe(
        &mut self,
        epoch: usize,
        validation_loss: f64,
        model: impl FnOnce() -> Cnn,
    ) -> ControlFlow<()> {
        let improved = self
            .best
            .as_ref()
            .is_none_or(|(_, best, _)| validation_loss < *best);
        if improved {
            self.best = Some((epoch, validation_loss, model()));
            self.epochs_without_improvement = 0;
            return ControlFlow::Continue(());
        }
        self.epochs_without_improvement += 1;
        if self.epochs_without_improvement >= self.patience {
            self.stopped_at = Some(epoch);
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    /// The epoch training stopped at, if it stopped before its last epoch.
    pub fn stopped_at(&self) -> Option<usize> {
        self.stopped_at
    }

    /// The best epoch (1-based) and its validation loss.
    pub fn best_epoch(&self) -> Option<(usize, f64)> {
        self.best.as_ref().map(|(epoch, loss, _)| (*epoch, *loss))
    }

    /// The weights of the best epoch, to restore.
    pub fn into_best_model(self) -> Option<Cnn> {
        self.best.map(|(_, _, model)| model)
    }
}
