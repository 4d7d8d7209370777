//! Draw a garment; see the 28x28 input the model gets and its class probabilities.

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::{HtmlCanvasElement, PointerEvent};

use super::canvas::{context_2d, paint_grey};
use super::state::use_lab;
use crate::data::fashion_mnist::CLASS_NAMES;
use crate::data::idx::IMAGE_SIDE;
use crate::inference::class_probabilities;
use crate::preprocess::preprocess_rgba;

/// Drawing surface size in canvas pixels.
const DRAW_SIDE: u32 = 280;
const STROKE_WIDTH: f64 = 18.0;

#[component]
pub fn ClassifyView() -> impl IntoView {
    let lab = use_lab();
    let draw_canvas = NodeRef::<leptos::html::Canvas>::new();
    let input_canvas = NodeRef::<leptos::html::Canvas>::new();
    let probabilities = RwSignal::new(Vec::<f32>::new());
    let message = RwSignal::new(None::<String>);
    // Milliseconds of the last classification: preprocessing, the model, reading back.
    let took_ms = RwSignal::new(None::<f64>);
    let drawing = Rc::new(Cell::new(false));

    draw_canvas.on_load(clear);

    let classify = move || {
        let (Some(canvas), Some(input_canvas)) =
            (draw_canvas.get_untracked(), input_canvas.get_untracked())
        else {
            return;
        };
        let Some(active) = lab.model.get_untracked() else {
            message.set(Some("The model is still loading.".into()));
            return;
        };
        let started = now_ms();
        let Some(pixels) = canvas_rgba(&canvas) else {
            return;
        };
        let input =
            match preprocess_rgba(&pixels, canvas.width() as usize, canvas.height() as usize) {
                Ok(input) => input,
                Err(e) => {
                    message.set(Some(format!("Draw a garment first: {e}.")));
                    return;
                }
            };
        paint_grey(
            &input_canvas,
            &input.pixels,
            IMAGE_SIDE as u32,
            IMAGE_SIDE as u32,
        );
        lab.last_input
            .set(Some(("your drawing".into(), input.pixels.clone())));
        message.set(None);
        spawn_local(async move {
            match class_probabilities(&active.model, &input.pixels).await {
                Ok(values) => {
                    took_ms.set(Some(now_ms() - started));
                    probabilities.set(values);
                }
                Err(e) => message.set(Some(format!("Classification failed: {e}"))),
            }
        });
    };

    let point = |canvas: &HtmlCanvasElement, ev: &PointerEvent| {
        let rect = canvas.get_bounding_client_rect();
        let sx = f64::from(canvas.width()) / rect.width().max(1.0);
        let sy = f64::from(canvas.height()) / rect.height().max(1.0);
        (
            (f64::from(ev.client_x()) - rect.left()) * sx,
            (f64::from(ev.client_y()) - rect.top()) * sy,
        )
    };
    let down = {
        let drawing = drawing.clone();
        move |ev: PointerEvent| {
            let Some(canvas) = draw_canvas.get_untracked() else {
                return;
            };
            let Some(ctx) = context_2d(&canvas) else {
                return;
            };
            let _ = canvas.set_pointer_capture(ev.pointer_id());
            drawing.set(true);
            let (x, y) = point(&canvas, &ev);
            ctx.begin_path();
            ctx.move_to(x, y);
            ctx.line_to(x + 0.1, y + 0.1);
            ctx.stroke();
        }
    };
    let moved = {
        let drawing = drawing.clone();
        move |ev: PointerEvent| {
            if !drawing.get() {
                return;
            }
            let Some(canvas) = draw_canvas.get_untracked() else {
                return;
            };
            let Some(ctx) = context_2d(&canvas) else {
                return;
            };
            let (x, y) = point(&canvas, &ev);
            ctx.line_to(x, y);
            ctx.stroke();
        }
    };
    let up = move |_: PointerEvent| {
        if drawing.replace(false) {
            classify();
        }
    };

    view! {
        <section id="classify">
            <h2>"1. Draw a garment"</h2>
            <p class="explain">
                "Draw a garment in dark strokes on the white square. It is turned into a 28x28 input "
                "the way Fashion-MNIST was made: grey, inverted to a light garment on black, trimmed, "
                "its longest side scaled to 28 pixels, centred."
            </p>
            <p class="model-in-use">
                "Model in use: "
                <span id="model-description">{move || lab.model.with(|m| m.as_ref().map(|m| m.description()))}</span>
            </p>
            <div class="classify-row">
                <div>
                    <canvas
                        id="draw-canvas"
                        node_ref=draw_canvas
                        width=DRAW_SIDE
                        height=DRAW_SIDE
                        aria-label="Drawing area: draw a garment here with the mouse or a finger"
                        on:pointerdown=down
                        on:pointermove=moved
                        on:pointerup=up.clone()
                        on:pointerleave=up
                    ></canvas>
                    <button
                        id="clear-button"
                        on:click=move |_| {
                            if let Some(c) = draw_canvas.get_untracked() {
                                clear(c);
                            }
                            probabilities.set(Vec::new());
                        }
                    >
                        "Clear"
                    </button>
                </div>
                <figure>
                    <canvas id="input-canvas" class="pixels" node_ref=input_canvas width="28" height="28"
                        aria-label="The 28x28 input the model sees"></canvas>
                    <figcaption>"28x28 model input"</figcaption>
                </figure>
                <Probabilities id="probabilities" values=probabilities/>
            </div>
            <p id="classify-message">{move || message.get()}</p>
            <p id="classify-time" class="explain" data-ms=move || took_ms.get().map(|ms| ms.to_string())>
                {move || took_ms.get().map(|ms| format!("Classified in {ms:.1} ms (preprocessing, the model, reading the result back)."))}
            </p>
        </section>
    }
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

/// The class probabilities as bars, most likely first, top-1 highlighted.
#[component]
pub fn Probabilities(
    /// The element id, for tests and links (none for lists that repeat).
    #[prop(optional)]
    id: Option<&'static str>,
    /// One probability per class, in label order (empty: nothing to show yet).
    #[prop(into)]
    values: Signal<Vec<f32>>,
) -> impl IntoView {
    let bars = move || {
        let probs = values.get();
        let mut order: Vec<usize> = (0..probs.len()).collect();
        order.sort_by(|&a, &b| probs[b].total_cmp(&probs[a]));
        order
            .into_iter()
            .enumerate()
            .map(|(rank, class)| {
                let p = probs[class];
                view! {
                    <li class:top=rank == 0 data-class=class data-prob=p>
                        <span class="name">{CLASS_NAMES[class]}</span>
                        <span class="bar"><span style:width=format!("{:.1}%", p * 100.0)></span></span>
                        <span class="value">{format!("{:.1}%", p * 100.0)}</span>
                    </li>
                }
            })
            .collect_view()
    };
    view! { <ol id=id class="probabilities">{bars}</ol> }
}

/// Fills the drawing canvas with white and sets the pen.
fn clear(canvas: HtmlCanvasElement) {
    if let Some(ctx) = context_2d(&canvas) {
        ctx.set_fill_style_str("white");
        ctx.fill_rect(
            0.0,
            0.0,
            f64::from(canvas.width()),
            f64::from(canvas.height()),
        );
        ctx.set_stroke_style_str("black");
        ctx.set_line_width(STROKE_WIDTH);
        ctx.set_line_cap("round");
        ctx.set_line_join("round");
    }
}

/// The canvas's pixels as RGBA bytes.
fn canvas_rgba(canvas: &HtmlCanvasElement) -> Option<Vec<u8>> {
    let ctx = context_2d(canvas)?;
    let image = ctx
        .get_image_data(
            0.0,
            0.0,
            f64::from(canvas.width()),
            f64::from(canvas.height()),
        )
        .ok()?;
    Some(image.data().0)
}
