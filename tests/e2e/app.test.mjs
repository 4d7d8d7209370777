// End-to-end: the release build, served on 127.0.0.1, used in headless Chromium as a person
// would: real data, the backend chosen by measurement (SwiftShader is a software adapter, so
// the CPU) and overridden, training in a background worker on WebGPU (SwiftShader) and on the
// CPU, a drawing classified while training runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { copyFile, mkdir } from 'node:fs/promises';
import { serve, launch, waitForData, trainInPage, drawAndClassify, ensureArtifacts, ROOT, assertNoCrash } from './harness.mjs';

const CLASS_NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
// SwiftShader runs WebGPU on the CPU at ~3.5 s per batch-64 step: a few dozen steps, not an epoch.
const WEBGPU_TRAIN_IMAGES = Number(process.env.E2E_WEBGPU_TRAIN_IMAGES ?? 2560);
const CPU_TRAIN_IMAGES = Number(process.env.E2E_CPU_TRAIN_IMAGES ?? 5120);

let server;
before(async () => { server = await serve(); });
after(async () => { await server?.close(); });

function assertProbabilities(probs) {
  assert.equal(probs.length, 10);
  const sum = probs.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) < 1e-3, `probabilities sum to ${sum}`);
  assert.ok(probs.every((p) => p >= 0 && p <= 1), `probabilities in [0, 1]: ${probs}`);
}

test('real data, WebGPU training, and a drawing classified', { timeout: 20 * 60_000 }, async () => {
  const { context, page, errors } = await launch({ webgpu: true });
  try {
    // SwiftShader's adapter is a software one: the page picks the CPU, says why, offers WebGPU.
    await page.goto(server.url);
    await page.waitForFunction(() => ['CPU', 'WebGPU'].includes(document.querySelector('#backend-name')?.textContent));
    assert.equal(await page.textContent('#backend-name'), 'CPU');
    assert.match(await page.textContent('#backend-note'),
      /^CPU \(burn-flex\), chosen automatically: the WebGPU adapter here \(adapter "[^"]+"\) is a software renderer/);
    assert.equal(await page.textContent('#backend-switch'), 'Use WebGPU anyway');
    await Promise.all([page.waitForURL(/\?backend=webgpu$/), page.click('#backend-switch')]);
    const status = await waitForData(page);
    assert.match(status, /70000 images loaded/);

    // The sample grid: real images of every class, each canvas painted (not blank).
    const samples = await page.$$eval('#sample-grid figure', (figs) => figs.map((f) => {
      const c = f.querySelector('canvas');
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let sum = 0, sq = 0, n = 0;
      for (let i = 0; i < px.length; i += 4) { sum += px[i]; sq += px[i] * px[i]; n++; }
      return { name: f.querySelector('figcaption').textContent, variance: sq / n - (sum / n) ** 2 };
    }));
    assert.equal(samples.length, 40);
    assert.deepEqual([...new Set(samples.map((s) => s.name))].sort(), [...CLASS_NAMES].sort());
    assert.ok(samples.every((s) => s.variance > 100), 'every sample canvas shows an image');

    // The split counts: 49,000 / 10,500 / 10,500, and each part's class counts add up.
    const totals = await page.$$eval('#split-counts tfoot td', (tds) => tds.map((td) => Number(td.textContent)));
    assert.deepEqual(totals, [49000, 10500, 10500]);
    const rows = await page.$$eval('#split-counts tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => Number(td.textContent))));
    assert.equal(rows.length, 10);
    for (let part = 0; part < 3; part++) {
      assert.equal(rows.reduce((s, r) => s + r[part], 0), totals[part]);
    }
    // Fashion-MNIST is balanced: 7,000 per class in all, so ~700 per class in the test part.
    assert.ok(rows.every((r) => r[0] + r[1] + r[2] === 7000));

    assert.equal(await page.textContent('#backend-name'), 'WebGPU');
    await page.waitForFunction(() => /pretrained/.test(document.querySelector('#model-description')?.textContent ?? ''));
    assert.match(await page.textContent('#model-description'), /model 4 \(pretrained\), test accuracy 90\.\d%/);
    // The representation model's pictures are computed on WebGPU too.
    await page.waitForFunction(() => document.querySelectorAll('#activations canvas').length === 128, null, { timeout: 120_000 });
    assert.equal(await page.textContent('#representations-message'), '');
    assert.match(await page.textContent('#backend-note'), /^WebGPU \(burn-wgpu\) on adapter .*, a software renderer, chosen by \?backend=webgpu/);
    assert.equal(await page.textContent('#backend-switch'), 'Use the CPU');

    const result = await trainInPage(page, { trainImages: WEBGPU_TRAIN_IMAGES, validationImages: 500, timeout: 15 * 60_000 });
    console.log(`WebGPU: ${result.outcome} (${result.throughput.map((t) => t.toFixed(1))} images/s)`);
    assert.ok(result.accuracy >= 0.4, `validation accuracy ${result.accuracy} >= 0.40`);
    assert.match(await page.textContent('#model-description'), /trained here/);
    // Trained in the worker, on WebGPU there too.
    assert.equal(await page.textContent('#train-where'),
      'Training runs in a background worker, so this page stays responsive; WebGPU (burn-wgpu), as in the page.');

    const probs = await drawAndClassify(page);
    assertProbabilities(probs);
    const input = await page.$eval('#input-canvas', (c) => {
      const px = c.getContext('2d').getImageData(0, 0, 28, 28).data;
      let lit = 0;
      for (let i = 0; i < px.length; i += 4) if (px[i] > 128) lit++;
      return lit;
    });
    assert.ok(input > 20 && input < 700, `the 28x28 input shows the stroke (${input} lit pixels)`);

    const dir = await ensureArtifacts();
    await page.screenshot({ path: join(dir, 'webgpu.png'), fullPage: true });
    await mkdir(join(ROOT, 'docs'), { recursive: true });
    await copyFile(join(dir, 'webgpu.png'), join(ROOT, 'docs', 'screenshot.png'));
    assertNoCrash(errors);
  } finally {
    await context.close();
  }
});

test('without WebGPU the page says so and trains on the CPU, in a worker', { timeout: 10 * 60_000 }, async () => {
  const { context, page, errors } = await launch({ webgpu: false });
  try {
    await page.goto(server.url);
    await waitForData(page);
    await page.waitForFunction(() => document.querySelector('#backend-name')?.textContent !== 'starting…');
    assert.equal(await page.textContent('#backend-name'), 'CPU');
    assert.match(await page.textContent('#backend-note'), /CPU fallback \(burn-flex\): WebGPU is not available/);
    assert.equal(await page.$('#backend-switch'), null, 'nothing to switch to');

    // Main-thread tasks over 50 ms while training: training on the page's thread would make
    // one per step (a CPU step of model 4 takes ~0.3 s); in the worker there are a handful.
    await page.evaluate(() => {
      window.longTasks = [];
      new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((e) => e.duration)))
        .observe({ type: 'longtask' });
    });
    const training = trainInPage(page, { trainImages: CPU_TRAIN_IMAGES, validationImages: 1000, timeout: 8 * 60_000 });
    // While it trains, a drawing is classified.
    await page.waitForFunction(() => /step [1-9]/.test(document.querySelector('#progress-text')?.textContent ?? ''), null, { timeout: 120_000 });
    assertProbabilities(await drawAndClassify(page));
    assert.ok(await page.isDisabled('#train-button'), 'the drawing was classified while training ran');
    const result = await training;
    console.log(`CPU: ${result.outcome} (${result.throughput.map((t) => t.toFixed(1))} images/s)`);
    assert.ok(result.accuracy >= 0.6, `validation accuracy ${result.accuracy} >= 0.60`);
    assert.equal(await page.textContent('#train-where'),
      'Training runs in a background worker, so this page stays responsive; CPU (burn-flex), as in the page.');
    const longTasks = await page.evaluate(() => window.longTasks);
    const steps = CPU_TRAIN_IMAGES / 128;
    console.log(`main-thread long tasks while training: ${longTasks.length} (${longTasks.map((d) => d.toFixed(0)).join(', ')} ms) over ${steps} steps`);
    assert.ok(longTasks.length < steps / 4, `${longTasks.length} long tasks over ${steps} steps: training blocks the page`);
    assertProbabilities(await drawAndClassify(page));
    assertNoCrash(errors);
  } finally {
    await context.close();
  }
});
