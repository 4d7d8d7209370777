//! Draws the study's curves on canvases with plotters (the points and colours come from
//! [`crate::study::curves`]).

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

use crate::study::curves::{Curves, Metric, ranges};

/// One panel: every model's validation curve (solid, with points) and training curve (dashed).
pub fn draw_panel(
    canvas: &HtmlCanvasElement,
    title: &str,
    curves: &[Curves],
    metric: Metric,
) -> Result<(), String> {
    let backend =
        CanvasBackend::with_canvas_object(canvas.clone()).ok_or("the canvas has no 2D context")?;
    let root = backend.into_drawing_area();
    let failed = |e: &dyn std::fmt::Display| format!("the chart could not be drawn: {e}");
    root.fill(&WHITE).map_err(|e| failed(&e))?;
    let ((x0, x1), (y0, y1)) = ranges(curves);
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 15))
        .margin(10)
        .x_label_area_size(34)
        .y_label_area_size(52)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| failed(&e))?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc(metric.label())
        .x_labels((x1 - x0) as usize + 1)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| match metric {
            Metric::Accuracy => format!("{:.0}%", y * 100.0),
            Metric::Loss => format!("{y:.2}"),
        })
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(|e| failed(&e))?;
    for c in curves {
        let colour = RGBColor(c.colour.0, c.colour.1, c.colour.2);
        chart
            .draw_series(LineSeries::new(
                c.validation.clone(),
                colour.stroke_width(2),
            ))
            .map_err(|e| failed(&e))?
            .label(format!("model {} validation", c.model_id))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], colour.stroke_width(2)));
        chart
            .draw_series(
                c.validation
                    .iter()
                    .map(|&p| Circle::new(p, 3, colour.filled())),
            )
            .map_err(|e| failed(&e))?;
        chart
            .draw_series(DashedLineSeries::new(
                c.train.clone(),
                5,
                4,
                colour.stroke_width(1),
            ))
            .map_err(|e| failed(&e))?
            .label(format!("model {} training", c.model_id))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 6, y)], colour.stroke_width(1)));
    }
    if !curves.is_empty() {
        chart
            .configure_series_labels()
            .position(match metric {
                Metric::Accuracy => SeriesLabelPosition::LowerRight,
                Metric::Loss => SeriesLabelPosition::UpperRight,
            })
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .label_font(("sans-serif", 11))
            .draw()
            .map_err(|e| failed(&e))?;
    }
    root.present().map_err(|e| failed(&e))?;
    Ok(())
}
