//! The numbers behind the study's plots: which curves, their points, their colours, and the
//! axis ranges. The page draws them with plotters; this part has no drawing code.

use super::results::RunResult;

/// What a plot shows per epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    Accuracy,
    Loss,
}

impl Metric {
    pub fn label(self) -> &'static str {
        match self {
            Self::Accuracy => "accuracy",
            Self::Loss => "cross-entropy loss",
        }
    }
}

/// One model's training and validation curves: `(epoch, value)` points.
#[derive(Debug, Clone, PartialEq)]
pub struct Curves {
    pub model_id: usize,
    pub colour: (u8, u8, u8),
    pub train: Vec<(f64, f64)>,
    pub validation: Vec<(f64, f64)>,
}

/// The curves of the runs whose model ids are in `ids` (runs with no finished epoch have none).
pub fn curves(runs: &[RunResult], ids: &[usize], metric: Metric) -> Vec<Curves> {
    let value = |m: &crate::train::Metrics| match metric {
        Metric::Accuracy => m.accuracy,
        Metric::Loss => m.loss,
    };
    runs.iter()
        .filter(|r| ids.contains(&r.model.id) && !r.epochs.is_empty())
        .map(|r| Curves {
            model_id: r.model.id,
            colour: colour(r.model.id),
            train: r
                .epochs
                .iter()
                .map(|e| (e.epoch as f64, value(&e.train)))
                .collect(),
            validation: r
                .epochs
                .iter()
                .map(|e| (e.epoch as f64, value(&e.validation)))
                .collect(),
        })
        .collect()
}

/// The x range (epochs) and a padded y range that holds every finite point.
pub fn ranges(curves: &[Curves]) -> ((f64, f64), (f64, f64)) {
    let points = || {
        curves
            .iter()
            .flat_map(|c| c.train.iter().chain(&c.validation))
            .filter(|(_, y)| y.is_finite())
    };
    let last_epoch = points().map(|(x, _)| *x).fold(1.0, f64::max);
    let low = points().map(|(_, y)| *y).fold(f64::INFINITY, f64::min);
    let high = points().map(|(_, y)| *y).fold(f64::NEG_INFINITY, f64::max);
    if !low.is_finite() {
        return ((1.0, 2.0), (0.0, 1.0));
    }
    let pad = ((high - low) * 0.08).max(0.005);
    ((1.0, last_epoch.max(2.0)), (low - pad, high + pad))
}

/// A colour per model from the Okabe-Ito palette, which people with the common forms of
/// colour-blindness can tell apart; models n and n + 4 share a colour but never a panel.
pub fn colour(model_id: usize) -> (u8, u8, u8) {
    const PALETTE: [(u8, u8, u8); 5] = [
        (0, 114, 178),   // blue
        (230, 159, 0),   // orange
        (0, 158, 115),   // bluish green
        (204, 121, 167), // reddish purple
        (213, 94, 0),    // vermillion
    ];
    match model_id {
        9 => PALETTE[4],
        id => PALETTE[(id + 3) % 4],
    }
}
