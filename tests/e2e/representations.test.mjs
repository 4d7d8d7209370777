// End-to-end: the representations view with the pretrained representation model: filter and
// activation canvases drawn, changing with the chosen test image and with a drawing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { copyFile, mkdir } from 'node:fs/promises';
import { serve, launch, waitForData, drawAndClassify, trainInPage, ensureArtifacts, ROOT, assertNoCrash } from './harness.mjs';

let server;
before(async () => { server = await serve(); });
after(async () => { await server?.close(); });

/** Pixel variance of every canvas under `selector` (0 for a blank one), and a fingerprint. */
function canvasStats(page, selector) {
  return page.$$eval(selector, (canvases) => canvases.map((c) => {
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let sum = 0, sq = 0, n = 0, hash = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3] === 0) continue; // gaps between slices
      const v = px[i] + px[i + 1] + px[i + 2];
      sum += v; sq += v * v; n++;
      hash = (hash * 31 + v) >>> 0;
    }
    return { variance: n ? sq / n - (sum / n) ** 2 : 0, hash, width: c.width, height: c.height };
  }));
}

/** Waits until the first activation map's pixels differ from the fingerprint `before`. */
function waitForFirstMapToChange(page, before) {
  return page.waitForFunction((before) => {
    const c = document.querySelector('#activations canvas');
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let hash = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3] !== 0) hash = (hash * 31 + px[i] + px[i + 1] + px[i + 2]) >>> 0;
    }
    return hash !== before;
  }, before, { timeout: 30_000 });
}

test('filters and activation maps are drawn, and follow the chosen input', { timeout: 5 * 60_000 }, async () => {
  const { context, page, errors } = await launch({ webgpu: false });
  try {
    await page.goto(server.url);
    await waitForData(page);
    await page.waitForFunction(() => /representation model \(pretrained\)/.test(document.querySelector('#representation-model')?.textContent ?? ''), null, { timeout: 60_000 });
    await page.waitForFunction(() => document.querySelectorAll('#activations canvas').length === 128, null, { timeout: 60_000 });

    const conv1 = await canvasStats(page, '#conv1-filters canvas');
    const conv4 = await canvasStats(page, '#conv4-filters canvas');
    assert.equal(conv1.length, 32);
    assert.equal(conv4.length, 32);
    assert.deepEqual([conv1[0].width, conv1[0].height], [3, 3]);
    assert.deepEqual([conv4[0].width, conv4[0].height], [31, 15], 'conv4 filters: 32 slices of 3x3 in 8 columns');
    assert.ok(conv1.every((s) => s.variance > 50), 'every conv1 filter shows a pattern');
    assert.ok(conv4.every((s) => s.variance > 50), 'every conv4 filter shows a pattern');

    const layers = await page.$$eval('#activations .map-grid', (grids) => grids.map((g) => [...g.querySelectorAll('canvas')].map((c) => c.width)));
    assert.deepEqual(layers.map((l) => [l.length, l[0]]), [[32, 28], [32, 14], [32, 7], [32, 3]]);
    const first = await canvasStats(page, '#activations canvas');
    assert.ok(first.filter((s) => s.variance > 50).length > 64, 'most activation maps are not blank');
    assert.match(await page.textContent('#representation-input'), /test image 1/);
    // The README's picture: the pretrained model on test image 1, an enlarged map.
    await page.hover('#activations .map-grid[data-layer="3"] canvas');
    await page.waitForSelector('#map-detail');
    await page.locator('#representations').scrollIntoViewIfNeeded();
    const dir = await ensureArtifacts();
    await page.locator('#representations').screenshot({ path: join(dir, 'representations.png') });
    await mkdir(join(ROOT, 'docs'), { recursive: true });
    await copyFile(join(dir, 'representations.png'), join(ROOT, 'docs', 'representations.png'));

    await page.click('#next-test-image');
    await page.waitForFunction(() => /test image 2/.test(document.querySelector('#representation-input').textContent));
    await waitForFirstMapToChange(page, first[0].hash);
    const second = await canvasStats(page, '#activations canvas');
    const changed = second.filter((s, i) => s.hash !== first[i].hash).length;
    assert.ok(changed > 100, `another test image changes the maps (${changed} of 128 changed)`);
    // The filters are the model's, not the input's: unchanged.
    assert.deepEqual((await canvasStats(page, '#conv1-filters canvas')).map((s) => s.hash), conv1.map((s) => s.hash));

    await drawAndClassify(page);
    await page.waitForFunction(() => /your drawing/.test(document.querySelector('#representation-input').textContent));
    await waitForFirstMapToChange(page, second[0].hash);
    const drawn = await canvasStats(page, '#activations canvas');
    assert.ok(drawn.filter((s, i) => s.hash !== second[i].hash).length > 100, 'the drawing changes the maps');

    // Hovering a map enlarges it and shows its values.
    await page.hover('#activations .map-grid[data-layer="4"] canvas');
    await page.waitForSelector('#map-detail');
    assert.match(await page.textContent('#map-detail'), /conv4 map 1: 3x3, min/);
    assert.equal(await page.$$eval('#map-detail .map-values td', (tds) => tds.length), 9);

    // Per-layer normalization repaints with one scale.
    await page.selectOption('#normalization', 'layer');
    await page.waitForFunction(() => /one scale per layer/.test(document.querySelector('.legend').textContent));

    // Training the representation model in the page redraws the pictures while it trains.
    const filtersBefore = (await canvasStats(page, '#conv1-filters canvas')).map((s) => s.hash);
    await page.selectOption('#architecture', 'representation');
    const seen = [];
    const watcher = setInterval(async () => {
      try { seen.push(await page.textContent('#representation-model')); } catch { /* page busy */ }
    }, 200);
    const trained = await trainInPage(page, { trainImages: 5120, validationImages: 500, timeout: 4 * 60_000 });
    clearInterval(watcher);
    assert.ok(seen.some((t) => /representation model being trained \(epoch 1, step 20 of 40\)/.test(t)), `live snapshots: ${[...new Set(seen)]}`);
    await page.waitForFunction(() => /representation model trained here/.test(document.querySelector('#representation-model').textContent));
    assert.ok(trained.accuracy > 0.3, trained.outcome);
    const filtersAfter = (await canvasStats(page, '#conv1-filters canvas')).map((s) => s.hash);
    assert.notDeepEqual(filtersAfter, filtersBefore, 'the filters show the newly trained model');

    assertNoCrash(errors);
  } finally {
    await context.close();
  }
});
