// Benchmark (not a test): Fashion Lab side by side with TensorFlow.js, in one headless Chromium
// session on 127.0.0.1 (WebGPU there is SwiftShader, a CPU renderer). Run after
// `trunk build --release` (scripts/test.sh does it):
//   node scripts/bench.mjs [--repeat 3] [--webgpu-repeat 1] [--quick]
// For the same architectures (the study's model 4 and the 3-conv model 1) and batch (128) it
// measures training images/s (ours on WebGPU and on the CPU backend; TensorFlow.js 4.22 on
// webgpu, cpu and wasm), single-image inference latency, page open to first classification
// (cold cache), parsing the data, main-thread long tasks and memory across 10 epochs of
// training, and the transfer sizes. Prints a table; each value is the median of the repeats.
// TensorFlow.js comes from npm (devDependencies) and is used only here, never shipped.
import { readdir, readFile, mkdtemp, copyFile, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { chromium } from 'playwright-core';
import { serve, waitForData, setNumber, DIST, ROOT } from '../tests/e2e/harness.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const QUICK = process.argv.includes('--quick');
const REPEAT = arg('repeat', QUICK ? 1 : 3);
const WEBGPU_REPEAT = arg('webgpu-repeat', 1);
const BATCH = 128;
// Images per training epoch (two epochs; the second, warm one is measured) and TensorFlow.js
// steps (after one warm-up step).
const OURS_CPU_IMAGES = QUICK ? 1280 : 2560;
const OURS_WEBGPU_IMAGES = QUICK ? 256 : 640;
const TF_CPU_STEPS = QUICK ? 2 : 3;
const TF_WEBGPU_STEPS = QUICK ? 1 : 3;
const MODELS = ['model4', 'model1'];

const median = (values) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const rows = [];
const add = (what, ours, theirs = '', ratio = '') => {
  rows.push([what, ours, theirs, ratio]);
  console.log(`${what}: ${ours}${theirs ? ` | TF.js ${theirs}` : ''}${ratio ? ` | ${ratio}` : ''}`);
};
const fmt = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
// How many times faster ours is (a and b: ours and theirs, higher is better).
const times = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `ours ${(a / b).toFixed(1)}x` : 'n/a');
// The same for latencies (lower is better).
const faster = (ours, theirs) => {
  if (!Number.isFinite(ours) || !Number.isFinite(theirs)) return 'n/a';
  return ours <= theirs ? `ours ${(theirs / ours).toFixed(1)}x faster` : `TF.js ${(ours / theirs).toFixed(1)}x faster`;
};

async function repeat(n, fn) {
  const values = [];
  for (let i = 0; i < n; i++) values.push(await fn(i));
  return median(values);
}

// ---- Transfer sizes ------------------------------------------------------------------------
for (const name of await readdir(DIST)) {
  if (name.endsWith('.wasm') || name.endsWith('.js') || name.endsWith('.css')) {
    const bytes = await readFile(join(DIST, name));
    add(`transfer size ${name.replace(/-[0-9a-f]{8,}/, '')} (raw / gzip -9)`,
      `${(bytes.length / 1e6).toFixed(2)} MB / ${(gzipSync(bytes, { level: 9 }).length / 1e6).toFixed(2)} MB`);
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--enable-precise-memory-info'],
});
const app = await serve();
const tfServer = await serve(await tfjsSite());

/** A fresh context: empty cache, no storage, no service worker. */
async function freshPage() {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  return { context, page, errors };
}

// ---- Ours: page open to first classification, cold cache ----------------------------------
const opens = [];
for (let i = 0; i < REPEAT; i++) {
  const { context, page } = await freshPage();
  await page.goto(app.url, { waitUntil: 'commit' });
  await page.waitForFunction(() => document.querySelector('#model-description')?.textContent?.length > 0,
    null, { timeout: 60_000, polling: 'raf' });
  const modelReady = await page.evaluate(() => performance.now());
  await stroke(page, 0);
  await page.waitForSelector('#classify-time[data-ms]', { timeout: 60_000 });
  const classified = await page.evaluate(() => performance.now());
  const backend = await page.textContent('#backend-name');
  opens.push({ modelReady, classified, backend });
  await context.close();
}
add(`page open to the pretrained model ready, cold cache (${opens[0].backend})`, `${fmt(median(opens.map((o) => o.modelReady)), 0)} ms`);
add('page open to first classification of a drawing, cold cache (incl. the scripted stroke)', `${fmt(median(opens.map((o) => o.classified)), 0)} ms`);

// ---- Ours: data, inference, training, long tasks, memory ---------------------------------
/** Opens the app with `query`, waits for the data; resolves to the page and its parse time. */
async function openApp(query) {
  const session = await freshPage();
  const t0 = Date.now();
  await session.page.goto(`${app.url}${query}`);
  const status = await waitForData(session.page);
  if (!/images loaded/.test(status)) throw new Error(`data did not load: ${status}`);
  return { ...session, loadMs: Date.now() - t0, parseMs: Number(/in (\d+) ms/.exec(status)?.[1]) };
}

async function stroke(page, n) {
  const canvas = page.locator('#draw-canvas');
  await canvas.scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelector('#model-description')?.textContent?.length > 0);
  const box = await canvas.boundingBox();
  const at = (fx, fy) => [box.x + fx * box.width, box.y + fy * box.height];
  const shift = (n % 3) * 0.03;
  await page.mouse.move(...at(0.3 + shift, 0.2));
  await page.mouse.down();
  for (const [fx, fy] of [[0.7, 0.2], [0.7, 0.8], [0.3, 0.8], [0.3, 0.2]]) {
    await page.mouse.move(...at(fx + shift, fy), { steps: 3 });
  }
  await page.mouse.up();
}

/** Median single-image latency of the page's classification (warm: the first is dropped). */
async function oursInference(page, runs = 7) {
  const values = [];
  // Counts classifications (two in a row may take the same time, to the timer's resolution).
  await page.evaluate(() => {
    window.classified = 0;
    new MutationObserver(() => { window.classified++; })
      .observe(document.querySelector('#classify-time'), { attributes: true, childList: true, subtree: true, characterData: true });
  });
  for (let i = 0; i < runs; i++) {
    await page.click('#clear-button');
    const before = await page.evaluate(() => window.classified);
    await stroke(page, i);
    await page.waitForFunction((b) => window.classified > b, before, { timeout: 60_000 });
    values.push(Number(await page.getAttribute('#classify-time', 'data-ms')));
  }
  return median(values.slice(1));
}

/** Trains `model` for `epochs` on `images` through the page; resolves to the per-epoch
 *  images/s, and calls `onEpoch(n)` as each epoch ends. */
async function oursTrain(page, model, images, epochs = 2, onEpoch = async () => {}) {
  await page.selectOption('#architecture', model);
  await setNumber(page, '#epochs-input', epochs);
  await setNumber(page, '#train-size', images);
  await setNumber(page, '#validation-size', 128);
  await page.waitForSelector('#train-button:not([disabled])', { timeout: 60_000 });
  await page.click('#train-button');
  for (let e = 1; e <= epochs; e++) {
    await page.waitForFunction((n) => document.querySelectorAll('#epoch-table tbody tr').length >= n
      || /failed/i.test(document.querySelector('#train-outcome')?.textContent ?? ''), e, { timeout: 60 * 60_000, polling: 200 });
    await onEpoch(e);
  }
  await page.waitForFunction(() => document.querySelector('#train-outcome')?.textContent?.length > 0,
    null, { timeout: 10 * 60_000 });
  const outcome = await page.textContent('#train-outcome');
  if (/failed/i.test(outcome)) throw new Error(outcome);
  return page.$$eval('#epoch-table .throughput', (cells) => cells.map((c) => Number(c.dataset.value)));
}

const ours = {};
// Inference first (measured after the training pages, the page's strokes were not seen once).
for (const backend of ['cpu', 'webgpu']) {
  ours[`${backend}-inference`] = await repeat(backend === 'cpu' ? REPEAT : WEBGPU_REPEAT, async () => {
    const { context, page } = await openApp(`?backend=${backend}`);
    try {
      return await oursInference(page);
    } catch (e) {
      console.log(`(inference on ${backend} not measured: ${String(e.message).split('\n')[0]})`);
      return NaN;
    } finally {
      await context.close();
    }
  });
}
for (const backend of ['cpu', 'ndarray', 'webgpu']) {
  // burn-ndarray is only a comparison point: measured as often as WebGPU.
  const n = backend === 'cpu' ? REPEAT : WEBGPU_REPEAT;
  const images = backend === 'webgpu' ? OURS_WEBGPU_IMAGES : OURS_CPU_IMAGES;
  for (const model of MODELS) {
    ours[`${backend}-${model}`] = await repeat(n, async () => {
      const { context, page } = await openApp(`?backend=${backend}`);
      const throughput = await oursTrain(page, model, images);
      await context.close();
      return throughput[1];
    });
  }
}

// Parse time, long tasks on the page's thread while training, memory over 10 epochs (CPU).
{
  const { context, page, loadMs, parseMs } = await openApp('?backend=cpu');
  add('page open to data ready (30 MB over localhost + parse)', `${loadMs} ms`);
  add('gunzip + parse + split of the 70,000 images, after the bytes arrive', `${parseMs} ms`);
  await page.evaluate(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((e) => e.duration)))
      .observe({ type: 'longtask' });
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const memory = [];
  const sample = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    const heap = metrics.find((m) => m.name === 'JSHeapUsedSize').value;
    const worker = Number(await page.evaluate(() => document.documentElement.dataset.workerMemory ?? NaN));
    const pageWasm = await page.evaluate(() => window.wasmBindings?.__wasm?.memory?.buffer?.byteLength ?? NaN);
    memory.push({ heap, worker, pageWasm });
  };
  await oursTrain(page, 'model4', 1280, 10, sample);
  const longTasks = await page.evaluate(() => window.longTasks);
  add('main-thread long tasks (> 50 ms) while training model 4, 10 epochs, CPU', `${longTasks.length} (longest ${fmt(Math.max(0, ...longTasks), 0)} ms)`);
  const mb = (b) => `${(b / 1e6).toFixed(1)} MB`;
  const change = (a, b) => `${(((b - a) / a) * 100).toFixed(1)}%`;
  const [first, last] = [memory[0], memory[memory.length - 1]];
  add('page JS heap after epoch 1 -> epoch 10', `${mb(first.heap)} -> ${mb(last.heap)} (${change(first.heap, last.heap)})`);
  add('training worker wasm memory after epoch 1 -> epoch 10', `${mb(first.worker)} -> ${mb(last.worker)} (${change(first.worker, last.worker)})`);
  console.log(`per epoch: JS heap ${memory.map((m) => mb(m.heap)).join(', ')}; worker ${memory.map((m) => mb(m.worker)).join(', ')}`);
  await context.close();
}

// ---- TensorFlow.js, same architectures, same batch -----------------------------------------
async function tfjs(backend, fn, ...args) {
  const { context, page, errors } = await freshPage();
  await page.goto(`${tfServer.url}bench.html`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 60_000 });
  try {
    return await page.evaluate(([b, f, a]) => window[f](b, ...a), [backend, fn, args]);
  } catch (e) {
    return { error: String(e.message ?? e).split('\n')[0] };
  } finally {
    if (errors.length) console.log(`(TF.js ${backend} page errors: ${errors.join('; ')})`);
    await context.close();
  }
}

const theirs = {};
for (const backend of ['webgpu', 'cpu', 'wasm']) {
  const steps = backend === 'webgpu' ? TF_WEBGPU_STEPS : TF_CPU_STEPS;
  const n = backend === 'webgpu' ? WEBGPU_REPEAT : REPEAT;
  for (const model of MODELS) {
    const results = [];
    for (let i = 0; i < n; i++) results.push(await tfjs(backend, 'tfTrain', model, BATCH, steps));
    theirs[`${backend}-${model}`] = results.find((r) => r.error) ?? median(results);
  }
  const results = [];
  for (let i = 0; i < n; i++) results.push(await tfjs(backend, 'tfInfer', 'model4', 20));
  theirs[`${backend}-inference`] = results.find((r) => r.error) ?? median(results);
}

const show = (v, unit) => (typeof v === 'object' ? `cannot: ${v.error}` : `${fmt(v)} ${unit}`);
for (const model of MODELS) {
  const name = model.replace('model', 'model ');
  add(`training ${name}, batch ${BATCH}: ours WebGPU vs TF.js webgpu (SwiftShader)`,
    show(ours[`webgpu-${model}`], 'images/s'), show(theirs[`webgpu-${model}`], 'images/s'), times(ours[`webgpu-${model}`], theirs[`webgpu-${model}`]));
  add(`training ${name}, batch ${BATCH}: ours CPU (burn-flex, wasm SIMD, in a worker) vs TF.js cpu`,
    show(ours[`cpu-${model}`], 'images/s'), show(theirs[`cpu-${model}`], 'images/s'), times(ours[`cpu-${model}`], theirs[`cpu-${model}`]));
  add(`training ${name}, batch ${BATCH}: ours CPU vs TF.js wasm`,
    show(ours[`cpu-${model}`], 'images/s'), show(theirs[`wasm-${model}`], 'images/s'), times(ours[`cpu-${model}`], theirs[`wasm-${model}`]));
  add(`training ${name}, batch ${BATCH}: ours on burn-ndarray (?backend=ndarray), for comparison`,
    show(ours[`ndarray-${model}`], 'images/s'), '', `burn-flex ${fmt(ours[`cpu-${model}`] / ours[`ndarray-${model}`])}x burn-ndarray`);
}
add('single-image inference, model 4: ours WebGPU vs TF.js webgpu (ours incl. preprocessing)',
  show(ours['webgpu-inference'], 'ms'), show(theirs['webgpu-inference'], 'ms'), faster(ours['webgpu-inference'], theirs['webgpu-inference']));
add('single-image inference, model 4: ours CPU vs TF.js cpu',
  show(ours['cpu-inference'], 'ms'), show(theirs['cpu-inference'], 'ms'), faster(ours['cpu-inference'], theirs['cpu-inference']));
add('single-image inference, model 4: ours CPU vs TF.js wasm',
  show(ours['cpu-inference'], 'ms'), show(theirs['wasm-inference'], 'ms'), faster(ours['cpu-inference'], theirs['wasm-inference']));

await Promise.all([app.close(), tfServer.close()]);
await browser.close();
console.log(`\nMedians of ${REPEAT} run(s) (${WEBGPU_REPEAT} on WebGPU), headless Chromium ${browser.version?.() ?? ''}, ${new Date().toISOString()}`);
console.log('\n| measure | Fashion Lab | TensorFlow.js 4.22 | ratio |\n| --- | --- | --- | --- |');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);

/** A folder with TensorFlow.js, its webgpu and wasm backends, and the benchmark page. */
async function tfjsSite() {
  const dir = await mkdtemp(join(tmpdir(), 'fashion-lab-tfjs-'));
  const nm = join(ROOT, 'node_modules', '@tensorflow');
  const files = [
    ['tfjs/dist/tf.min.js', 'tf.min.js'],
    ['tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js', 'tf-backend-webgpu.min.js'],
    ['tfjs-backend-wasm/dist/tf-backend-wasm.min.js', 'tf-backend-wasm.min.js'],
    ['tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm', 'tfjs-backend-wasm.wasm'],
    ['tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-simd.wasm'],
    ['tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'],
  ];
  for (const [from, to] of files) await copyFile(join(nm, from), join(dir, to));
  await writeFile(join(dir, 'bench.html'), `<!doctype html><meta charset="utf-8"><title>TF.js bench</title>
<script src="tf.min.js"></script>
<script src="tf-backend-webgpu.min.js"></script>
<script src="tf-backend-wasm.min.js"></script>
<script>
tf.wasm.setWasmPaths(new URL('./', location.href).href);
// The study's model 4 (628,630 parameters) and model 1 (19,146), as Fashion Lab builds them.
function build(name) {
  const conv = (strides, extra = {}) => tf.layers.conv2d({ filters: 32, kernelSize: 3, strides, padding: 'same', activation: 'relu', ...extra });
  const pool = () => tf.layers.maxPooling2d({ poolSize: 2 });
  const layers = name === 'model4'
    ? [conv(1, { inputShape: [28, 28, 1] }), pool(), tf.layers.flatten(),
       tf.layers.dense({ units: 100, activation: 'relu', kernelRegularizer: tf.regularizers.l2({ l2: 1e-5 }) })]
    : [conv(1, { inputShape: [28, 28, 1] }), pool(), conv(2), pool(), conv(2), pool(), tf.layers.flatten()];
  const model = tf.sequential({ layers: [...layers, tf.layers.dense({ units: 10, activation: 'softmax' })] });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const expected = name === 'model4' ? 628630 : 19146;
  if (model.countParams() !== expected) throw new Error(name + ' has ' + model.countParams() + ' parameters, not ' + expected);
  return model;
}
async function use(backend) {
  if (!(await tf.setBackend(backend))) throw new Error('backend ' + backend + ' did not start');
  await tf.ready();
}
// Training images/s over \`steps\` steps after one warm-up step, random data.
window.tfTrain = async (backend, name, batch, steps) => {
  await use(backend);
  const model = build(name);
  const xs = tf.randomUniform([batch, 28, 28, 1]);
  const ys = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32'), 10).toFloat();
  await model.trainOnBatch(xs, ys);
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await model.trainOnBatch(xs, ys);
  return (steps * batch) / ((performance.now() - t0) / 1000);
};
// Median latency of one image through the model, read back, warm.
window.tfInfer = async (backend, name, runs) => {
  await use(backend);
  const model = build(name);
  const x = tf.randomUniform([1, 28, 28, 1]);
  const times = [];
  for (let i = 0; i < runs + 3; i++) {
    const t0 = performance.now();
    const y = model.predict(x);
    await y.data();
    y.dispose();
    if (i >= 3) times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
};
window.benchReady = true;
</script>`);
  return dir;
}
