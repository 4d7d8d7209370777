//! Downloads the four data files with progress, then shows samples and the split.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use web_time::Instant;

use gloo_timers::future::TimeoutFuture;

use super::canvas::paint_grey;
use super::download::{fetch_checked, forget_data_file, keep_data_file, kept_data_file};
use super::state::{LoadedData, use_lab};
use crate::data::download_fault::{DownloadFault, RETRY_DELAYS, check_body};
use crate::data::fashion_mnist::{CLASS_NAMES, DataFile, DataPart, FashionMnist};
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
    let notice = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);
    // Files already downloaded and verified: a Retry fetches only the others.
    let parts = StoredValue::new([None::<DataPart>, None, None, None]);

    let start = move |first: bool| {
        if loading.get_untracked() {
            return;
        }
        loading.set(true);
        error.set(None);
        spawn_local(async move {
            if first {
                // The model (and a first classification) before the 30 MB: parsing the data
                // holds the page's thread for a moment. At most 3 s.
                for _ in 0..60 {
                    if lab.model.with_untracked(Option::is_some) {
                        break;
                    }
                    TimeoutFuture::new(50).await;
                }
            }
            match load(parts, received, totals, notice).await {
                Ok(loaded) => lab.data.set(Some(Rc::new(loaded))),
                Err(message) => error.set(Some(message)),
            }
            notice.set(None);
            loading.set(false);
        });
    };
    start(true);

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
                    <span class="file" id=format!("data-file-{i}")>{file.file_name()}</span>
                    <progress max=max value=value aria-labelledby=format!("data-file-{i}")></progress>
                    <span class="bytes">{text}</span>
                </li>
            }
        })
        .collect_view();

    let status = move || {
        if let Some(message) = error.get() {
            return message;
        }
        if let Some(message) = notice.get() {
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
            <p id="data-status" role="status" class:error=move || error.with(Option::is_some)>{status}</p>
            <Show when=move || error.with(Option::is_some) && !loading.get()>
                <button id="data-retry" on:click=move |_| start(false)>"Retry"</button>
            </Show>
            {move || lab.data.get().map(|d| view! { <SampleGrid loaded=d.clone()/> <SplitTable loaded=d/> })}
        </section>
    }
}

/// Gets the four files from `data/` (each from this browser's offline copy when it has a good
/// one, else downloaded, with automatic retries of transient faults), then pools and splits
/// them. Files already in `parts` are not fetched again.
async fn load(
    parts: StoredValue<[Option<DataPart>; 4]>,
    received: RwSignal<[u64; 4]>,
    totals: RwSignal<[Option<u64>; 4]>,
    notice: RwSignal<Option<String>>,
) -> Result<LoadedData, String> {
    let mut parse_ms = 0.0;
    for (i, file) in DataFile::ALL.iter().copied().enumerate() {
        if parts.with_value(|p| p[i].is_some()) {
            continue;
        }
        let url = format!("data/{}", file.file_name());
        let (part, ms) = get_file(file, &url, i, received, totals, notice).await?;
        parse_ms += ms;
        parts.update_value(|p| p[i] = Some(part));
    }
    let started = Instant::now();
    let [a, b, c, d] = parts.try_update_value(std::mem::take).unwrap_or_default();
    let (Some(a), Some(b), Some(c), Some(d)) = (a, b, c, d) else {
        return Err("The data files were not all loaded; press Retry.".into());
    };
    let data = FashionMnist::from_data_parts([a, b, c, d]).map_err(|e| {
        // The pair does not belong together: fetch all four again on Retry.
        parts.set_value([None, None, None, None]);
        format!(
            "The data files do not belong together ({e}). Replace them with the official files \
             (scripts/fetch-data.sh), then press Retry."
        )
    })?;
    let split = split_70_15_15(data.len(), DEFAULT_SEED);
    Ok(LoadedData {
        data,
        split,
        parse_ms: parse_ms + started.elapsed().as_secs_f64() * 1000.0,
    })
}

/// One data file, parsed: this browser's offline copy when it has a good one, else downloaded
/// (transient faults retried after [`RETRY_DELAYS`]) and kept for offline use. Returns the part
/// and the milliseconds spent parsing it.
async fn get_file(
    file: DataFile,
    url: &str,
    i: usize,
    received: RwSignal<[u64; 4]>,
    totals: RwSignal<[Option<u64>; 4]>,
    notice: RwSignal<Option<String>>,
) -> Result<(DataPart, f64), String> {
    if let Some(bytes) = kept_data_file(url).await {
        let started = Instant::now();
        match file.parse(&bytes) {
            Ok(part) => {
                let n = bytes.len() as u64;
                received.update(|r| r[i] = n);
                totals.update(|t| t[i] = Some(n));
                return Ok((part, started.elapsed().as_secs_f64() * 1000.0));
            }
            Err(_) => forget_data_file(url).await,
        }
    }
    let mut attempt = 0;
    loop {
        let fetched = fetch_checked(url, |got, total| {
            received.update(|r| r[i] = got);
            totals.update(|t| t[i] = total);
        })
        .await;
        let started = Instant::now();
        let outcome = fetched.and_then(|(bytes, expected)| {
            check_body(&bytes, expected)?;
            let part = file.parse(&bytes).map_err(DownloadFault::Invalid)?;
            Ok((bytes, part))
        });
        match outcome {
            Ok((bytes, part)) => {
                let ms = started.elapsed().as_secs_f64() * 1000.0;
                if let Err(e) = keep_data_file(url, &bytes).await {
                    leptos::logging::warn!("{url} is not kept for offline use: {e}");
                }
                return Ok((part, ms));
            }
            Err(fault) if fault.is_transient() && attempt < RETRY_DELAYS.len() => {
                let delay = RETRY_DELAYS[attempt];
                attempt += 1;
                notice.set(Some(format!(
                    "{url}: {fault}. Trying again in {:.1} s (attempt {} of {}).",
                    delay.as_secs_f64(),
                    attempt + 1,
                    RETRY_DELAYS.len() + 1
                )));
                TimeoutFuture::new(delay.as_millis() as u32).await;
            }
            Err(fault) => return Err(fault.message(url)),
        }
    }
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
