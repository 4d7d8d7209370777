//! Downloads the four data files with progress, then shows samples and the split.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use web_time::Instant;

use super::canvas::paint_grey;
use super::download::fetch_bytes;
use super::state::{LoadedData, use_lab};
use crate::data::fashion_mnist::{CLASS_NAMES, DataFile, FashionMnist};
use crate::data::idx::{IMAGE_SIDE, NUM_CLASSES};
use crate::data::split::{DEFAULT_SEED, split_70_15_15};

/// Samples shown per class in the grid.
const SAMPLES_PER_CLASS: usize = 4;

#[component]
pub fn DataView() -> impl IntoView {
    let lab = use_lab();
    let received = RwSignal::new([0u64; 4]);
    let totals = RwSignal::new([None::<u64>; 4]);
    let error = RwSignal::new(None::<String>);

    spawn_local(async move {
        match load(received, totals).await {
            Ok(loaded) => lab.data.set(Some(Rc::new(loaded))),
            Err(message) => error.set(Some(message)),
        }
    });

    let progress_rows = DataFile::ALL
        .iter()
        .enumerate()
        .map(|(i, file)| {
            let value = move || received.with(|r| r[i]) as f64;
            let max = move || totals.with(|t| t[i]).map(|t| t as f64).unwrap_or(1.0);
            let text = move || match totals.with(|t| t[i]) {
                Some(total) => format!(
                    "{} / {}",
                    human_bytes(received.with(|r| r[i])),
                    human_bytes(total)
                ),
                None => human_bytes(received.with(|r| r[i])),
            };
            view! {
                <li>
                    <span class="file">{file.file_name()}</span>
                    <progress max=max value=value></progress>
                    <span class="bytes">{text}</span>
                </li>
            }
        })
        .collect_view();

    let status = move || {
        if let Some(message) = error.get() {
            return message;
        }
        lab.data.with(|d| match d {
            Some(d) => format!(
                "{} images loaded; decompressed, parsed and split in {:.0} ms.",
                d.data.len(),
                d.parse_ms
            ),
            None => "Downloading Fashion-MNIST…".to_string(),
        })
    };

    view! {
        <section id="data">
            <h2>"3. Data"</h2>
            <p class="explain">
                "Fashion-MNIST: 70,000 grey 28x28 photos of clothes in 10 classes. The official "
                "training and test files are pooled and split with a fixed seed into 70% "
                "training, 15% validation and 15% test."
            </p>
            <ul class="downloads">{progress_rows}</ul>
            <p id="data-status" class:error=move || error.with(Option::is_some)>{status}</p>
            {move || lab.data.get().map(|d| view! { <SampleGrid loaded=d.clone()/> <SplitTable loaded=d/> })}
        </section>
    }
}

/// Downloads the four files from `data/`, then parses, pools and splits them.
async fn load(
    received: RwSignal<[u64; 4]>,
    totals: RwSignal<[Option<u64>; 4]>,
) -> Result<LoadedData, String> {
    let mut files = Vec::with_capacity(4);
    for (i, file) in DataFile::ALL.iter().enumerate() {
        let url = format!("data/{}", file.file_name());
        let bytes = fetch_bytes(&url, |got, total| {
            received.update(|r| r[i] = got);
            totals.update(|t| t[i] = total);
        })
        .await
        .map_err(|e| {
            format!(
                "Could not download {url}: {e}. Put the four Fashion-MNIST files in the data/ \
                 folder next to the page (scripts/fetch-data.sh does this) and reload."
            )
        })?;
        files.push(bytes);
    }
    let started = Instant::now();
    let data = FashionMnist::from_files([&files[0], &files[1], &files[2], &files[3]])
        .map_err(|e| format!("The data file {e}"))?;
    let split = split_70_15_15(data.len(), DEFAULT_SEED);
    Ok(LoadedData {
        data,
        split,
        parse_ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}

/// `bytes` in kB or MB.
fn human_bytes(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6)
    } else {
        format!("{:.1} kB", bytes as f64 / 1e3)
    }
}

/// A few training images of every class, with the class name: one column per class.
#[component]
fn SampleGrid(loaded: Rc<LoadedData>) -> impl IntoView {
    let mut picked: Vec<Vec<u32>> = vec![Vec::new(); NUM_CLASSES];
    for &i in &loaded.split.train {
        let class = usize::from(loaded.data.label(i as usize));
        if picked[class].len() < SAMPLES_PER_CLASS {
            picked[class].push(i);
        }
    }
    let tiles = (0..SAMPLES_PER_CLASS)
        .flat_map(|row| (0..NUM_CLASSES).map(move |class| (row, class)))
        .filter_map(|(row, class)| picked[class].get(row).map(|&i| (class, i)))
        .map(|(class, i)| {
            let canvas = NodeRef::<leptos::html::Canvas>::new();
            let pixels = loaded.data.image(i as usize).to_vec();
            canvas.on_load(move |c| paint_grey(&c, &pixels, IMAGE_SIDE as u32, IMAGE_SIDE as u32));
            view! {
                <figure class="sample" data-class=class>
                    <canvas node_ref=canvas class="pixels" aria-label=CLASS_NAMES[class]></canvas>
                    <figcaption>{CLASS_NAMES[class]}</figcaption>
                </figure>
            }
        })
        .collect_view();
    view! { <div id="sample-grid" class="sample-grid">{tiles}</div> }
}

/// Images per class in each part of the split.
#[component]
fn SplitTable(loaded: Rc<LoadedData>) -> impl IntoView {
    let split = &loaded.split;
    let parts = [&split.train, &split.validation, &split.test].map(|p| loaded.data.class_counts(p));
    let rows = (0..NUM_CLASSES)
        .map(|class| {
            view! {
                <tr>
                    <th scope="row">{CLASS_NAMES[class]}</th>
                    <td>{parts[0][class]}</td>
                    <td>{parts[1][class]}</td>
                    <td>{parts[2][class]}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table id="split-counts">
            <caption>"Images per class in each part (seed " {DEFAULT_SEED} ")"</caption>
            <thead>
                <tr><th>"Class"</th><th>"Training"</th><th>"Validation"</th><th>"Test"</th></tr>
            </thead>
            <tbody>{rows}</tbody>
            <tfoot>
                <tr>
                    <th scope="row">"Total"</th>
                    <td data-part="train">{split.train.len()}</td>
                    <td data-part="validation">{split.validation.len()}</td>
                    <td data-part="test">{split.test.len()}</td>
                </tr>
            </tfoot>
        </table>
    }
}
