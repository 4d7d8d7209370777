//! What the network sees: the representation model's conv filters (layers 1 and 4) and the
//! feature maps of every conv layer for a chosen, drawn or uploaded image. The pictures are
//! computed by the core (`visualize`); this file only paints them.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::canvas::paint_rgba;
use super::state::use_lab;
use crate::data::fashion_mnist::CLASS_NAMES;
use crate::visualize::{Normalization, SliceStack, read_activations, read_filters, viridis_rgba};

/// Everything the view paints, for one model and one input.
struct Pictures {
    conv1_filters: SliceStack,
    conv4_filters: SliceStack,
    activations: Vec<SliceStack>,
}

#[component]
pub fn RepresentationsView() -> impl IntoView {
    let lab = use_lab();
    let normalization = RwSignal::new(Normalization::PerFilter);
    let input = RwSignal::new(None::<(String, Vec<u8>)>);
    let test_index = RwSignal::new(0usize);
    let pictures = RwSignal::new_local(None::<Rc<Pictures>>);
    let message = RwSignal::new(None::<String>);
    let focus = RwSignal::new(None::<(usize, usize)>); // (layer, map)

    let pick_test_image = move |index: usize| {
        let Some(loaded) = lab.data.get_untracked() else {
            return;
        };
        let test = &loaded.split.test;
        let index = index % test.len().max(1);
        test_index.set(index);
        let image = test[index] as usize;
        let label = CLASS_NAMES[usize::from(loaded.data.label(image))];
        input.set(Some((
            format!("test image {} ({label})", index + 1),
            loaded.data.image(image).to_vec(),
        )));
    };
    // The first test image once the data is there; then every new drawing or upload.
    Effect::new(move |_| {
        if lab.data.with(Option::is_some) && input.with_untracked(Option::is_none) {
            pick_test_image(0);
        }
    });
    Effect::new(move |_| {
        if let Some(latest) = lab.last_input.get() {
            input.set(Some(latest));
        }
    });
    // Recompute whenever the model (a new snapshot while training, too) or the input changes.
    Effect::new(move |_| {
        let (Some(active), Some((_, pixels))) = (lab.representation.get(), input.get()) else {
            return;
        };
        spawn_local(async move {
            let computed = async {
                Ok::<_, String>(Pictures {
                    conv1_filters: read_filters(&active.model, 0).await?,
                    conv4_filters: read_filters(&active.model, 3).await?,
                    activations: read_activations(&active.model, &pixels).await?,
                })
            }
            .await;
            match computed {
                Ok(p) => {
                    pictures.set(Some(Rc::new(p)));
                    message.set(None);
                }
                Err(e) => message.set(Some(e)),
            }
        });
    });

    let filters = move |which: usize| {
        move || {
            let norm = normalization.get();
            pictures.get().map(|p| {
                let stack = if which == 1 { &p.conv1_filters } else { &p.conv4_filters };
                let normalized = stack.normalized(norm);
                let columns = if stack.per_group == 1 { 1 } else { 8 };
                (0..stack.groups)
                    .map(|f| {
                        let (tile, w, h) = stack.group_tile(&normalized, f, columns);
                        let (lo, hi) = stack.group_range(f);
                        view! {
                            <MapCanvas
                                rgba=viridis_rgba(&tile) width=w height=h
                                label=format!("conv{which} filter {}: weights {lo:.3} to {hi:.3}", f + 1)
                                class=if which == 1 { "filter conv1" } else { "filter conv4" }
                                on_focus=move || {}
                            />
                        }
                    })
                    .collect_view()
            })
        }
    };

    let activation_rows = move || {
        let norm = normalization.get();
        pictures.get().map(|p| {
            p.activations
                .iter()
                .enumerate()
                .map(|(layer, stack)| {
                    let normalized = stack.normalized(norm);
                    let maps = (0..stack.groups)
                        .map(|m| {
                            let (tile, w, h) = stack.group_tile(&normalized, m, 1);
                            let (lo, hi) = stack.group_range(m);
                            view! {
                                <MapCanvas
                                    rgba=viridis_rgba(&tile) width=w height=h
                                    label=format!("conv{} map {}: {lo:.2} to {hi:.2}", layer + 1, m + 1)
                                    class="activation"
                                    on_focus=move || focus.set(Some((layer, m)))
                                />
                            }
                        })
                        .collect_view();
                    view! {
                        <h4>{format!("conv{}: {} maps of {}x{} (after ReLU, before pooling)", layer + 1, stack.groups, stack.height, stack.width)}</h4>
                        <div class="map-grid" data-layer=layer + 1>{maps}</div>
                    }
                })
                .collect_view()
        })
    };

    let detail = move || {
        let (layer, map) = focus.get()?;
        let p = pictures.get()?;
        let stack = p.activations.get(layer)?;
        let values = stack.slice(map, 0).to_vec();
        let normalized = stack.normalized(normalization.get());
        let (tile, w, h) = stack.group_tile(&normalized, map, 1);
        let (lo, hi) = stack.group_range(map);
        let mean = values.iter().sum::<f32>() / values.len().max(1) as f32;
        let table = (stack.width <= 7).then(|| {
            let rows = values
                .chunks(stack.width)
                .map(|row| view! { <tr>{row.iter().map(|v| view! { <td>{format!("{v:.2}")}</td> }).collect_view()}</tr> })
                .collect_view();
            view! { <table class="map-values"><tbody>{rows}</tbody></table> }
        });
        Some(view! {
            <div id="map-detail" class="map-detail">
                <MapCanvas rgba=viridis_rgba(&tile) width=w height=h
                    label=format!("conv{} map {} enlarged", layer + 1, map + 1) class="enlarged" on_focus=move || {}/>
                <p>{format!("conv{} map {}: {w}x{h}, min {lo:.3}, mean {mean:.3}, max {hi:.3}", layer + 1, map + 1)}</p>
                {table}
            </div>
        })
    };

    let legend = move || {
        let levels: Vec<Option<u8>> = (0..=255u8).map(Some).collect();
        let text = match normalization.get() {
            Normalization::PerFilter => {
                "each picture from its own lowest value (left) to its highest (right)".to_string()
            }
            Normalization::PerLayer => pictures
                .get()
                .map(|p| {
                    let (lo, hi) = p.conv1_filters.layer_range();
                    format!("one scale per layer (conv1 weights: {lo:.3} to {hi:.3})")
                })
                .unwrap_or_default(),
        };
        view! {
            <div class="legend">
                <MapCanvas rgba=viridis_rgba(&levels) width=256 height=1 label="colour scale: low to high".into() class="legend-bar" on_focus=move || {}/>
                <span>"low"</span><span>"high"</span>
                <p>{text}</p>
            </div>
        }
    };

    view! {
        <section id="representations">
            <h2>"6. What the network sees"</h2>
            <p class="explain">
                "A 4-conv-layer variant of model 4 (32,374 parameters). A filter is a 3x3 grid of "
                "weights slid over the image: it responds where the image looks like it. Layer 1's "
                "filters see pixels; layer 4's see the 32 maps of layer 3, so each shows 32 slices. "
                "A feature map shows where a filter responded for the chosen image."
            </p>
            <p>
                "Model: "
                <span id="representation-model">{move || lab.representation.with(|m| m.as_ref().map(|m| m.description()))}</span>
            </p>
            <div class="controls">
                <label for="normalization">"Normalization"</label>
                <select
                    id="normalization"
                    on:change=move |ev| normalization.set(if event_target_value(&ev) == "layer" { Normalization::PerLayer } else { Normalization::PerFilter })
                >
                    <option value="filter" selected>"per filter (min-max)"</option>
                    <option value="layer">"per layer (min-max)"</option>
                </select>
                <button id="previous-test-image" on:click=move |_| pick_test_image(test_index.get_untracked() + 10_499) disabled=move || lab.data.with(Option::is_none)>
                    "Previous test image"
                </button>
                <button id="next-test-image" on:click=move |_| pick_test_image(test_index.get_untracked() + 1) disabled=move || lab.data.with(Option::is_none)>
                    "Next test image"
                </button>
            </div>
            <p>"Input: " <span id="representation-input">{move || input.with(|i| i.as_ref().map(|i| i.0.clone()))}</span>
               " (draw or upload above to use yours)"</p>
            {legend}
            <p id="representations-message" class="error">{move || message.get()}</p>
            <h3>"Filters of conv layer 1 (32 filters, 3x3x1)"</h3>
            <div id="conv1-filters" class="map-grid">{filters(1)}</div>
            <h3>"Filters of conv layer 4 (32 filters, 3x3x32: each tile shows its 32 input slices)"</h3>
            <div id="conv4-filters" class="map-grid wide">{filters(4)}</div>
            <h3>"Feature maps (hover or tap a map to enlarge it and see its values)"</h3>
            {detail}
            <div id="activations">{activation_rows}</div>
        </section>
    }
}

/// One picture: RGBA pixels painted on a canvas that CSS scales up without smoothing.
#[component]
fn MapCanvas(
    rgba: Vec<u8>,
    width: usize,
    height: usize,
    /// Accessible name and tooltip.
    label: String,
    class: &'static str,
    /// Runs on hover, tap or keyboard focus.
    on_focus: impl Fn() + Clone + 'static,
) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    canvas.on_load(move |c| paint_rgba(&c, &rgba, width as u32, height as u32));
    let (hover, click, key) = (on_focus.clone(), on_focus.clone(), on_focus);
    view! {
        <canvas
            node_ref=canvas
            class=format!("pixels {class}")
            role="img"
            tabindex="0"
            aria-label=label.clone()
            title=label
            on:pointerenter=move |_| hover()
            on:click=move |_| click()
            on:focus=move |_| key()
        ></canvas>
    }
}
