// End-to-end: the release build as a person hosts it. Served under a sub-path, it loads,
// classifies and trains; after one visit it works offline; every data fault shows its message
// and recovers; a diverging run says so; Train pressed twice starts one run; no serious or
// critical accessibility violation (axe-core).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serve, launch, waitForData, drawAndClassify, trainInPage, assertNoCrash, ROOT } from './harness.mjs';

const PREFIX = '/fashion-lab/';
const IMAGES = 'data/train-images-idx3-ubyte.gz';
const LABELS = 'data/train-labels-idx1-ubyte.gz';
const TEST_IMAGES = 'data/t10k-images-idx3-ubyte.gz';

async function dataStatus(page) {
  return page.textContent('#data-status');
}

/** Waits for the data step to end, in success or in an error with its Retry button. */
async function waitForDataOutcome(page, timeout = 120_000) {
  await page.waitForFunction(
    () => /images loaded/.test(document.querySelector('#data-status')?.textContent ?? '')
      || document.querySelector('#data-retry'),
    null, { timeout, polling: 250 });
  return dataStatus(page);
}

test('under a sub-path: loads, classifies, trains; then works offline', { timeout: 10 * 60_000 }, async () => {
  const server = await serve(undefined, { prefix: PREFIX });
  const { context, page, errors } = await launch({ webgpu: false });
  try {
    await page.goto(`${server.url}?backend=cpu`);
    assert.match(await waitForData(page), /70000 images loaded/);
    const probabilities = await drawAndClassify(page);
    assert.ok(Math.abs(probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-4);
    const { outcome, accuracy } = await trainInPage(page, { trainImages: 512, validationImages: 256, timeout: 5 * 60_000 });
    assert.doesNotMatch(outcome, /failed/i);
    assert.ok(accuracy > 0.2, `validation accuracy ${accuracy}`);
    // Nothing was asked for outside the sub-path (every URL is relative).
    assert.ok(server.requests.get('sw.js') >= 1, 'the service worker was fetched under the sub-path');
    await page.waitForFunction(async () => {
      const registration = await navigator.serviceWorker.ready;
      return registration.active?.state === 'activated' && navigator.serviceWorker.controller !== null;
    }, null, { timeout: 60_000 });

    // Offline: a reload still opens the app, with its data, and classifies a drawing.
    await context.setOffline(true);
    await page.reload();
    assert.match(await waitForData(page), /70000 images loaded/);
    await page.waitForFunction(() => (document.querySelector('#active-model')?.textContent ?? '').length > 0, null, { timeout: 60_000 });
    const offline = await drawAndClassify(page);
    assert.ok(Math.abs(offline.reduce((a, b) => a + b, 0) - 1) < 1e-4);
    assertNoCrash(errors);
  } finally {
    await context.setOffline(false).catch(() => {});
    await context.close();
    await server.close();
  }
});

test('data faults: a clear message naming the file, automatic retries, Retry recovers', { timeout: 10 * 60_000 }, async () => {
  // What the server does wrong, per file; cleared to let Retry succeed.
  let faults = {};
  const server = await serve(undefined, { fault: (path, n) => faults[path]?.(n) });
  const { context, page, errors } = await launch({ webgpu: false });
  try {
    // A 404: not transient, so no automatic retry; the message names the file and the fix.
    faults = { [LABELS]: () => ({ status: 404 }) };
    await page.goto(`${server.url}?backend=cpu`);
    let status = await waitForDataOutcome(page);
    assert.match(status, /Could not load data\/train-labels-idx1-ubyte\.gz: the server has no such file \(HTTP 404\)/);
    assert.match(status, /scripts\/fetch-data\.sh/);
    assert.equal(server.requests.get(LABELS), 1, 'a 404 is not retried by itself');
    faults = {};
    await page.click('#data-retry');
    assert.match(await waitForDataOutcome(page), /70000 images loaded/);
    assert.equal(server.requests.get(IMAGES), 1, 'Retry fetched only what was missing');
    assertNoCrash(errors);
  } finally {
    await context.close();
  }

  // An HTML error page saved under a data file's name; another file already gunzipped by the
  // server (which the page reads as it is).
  const second = await launch({ webgpu: false });
  try {
    faults = {
      [TEST_IMAGES]: () => ({ html: '<!DOCTYPE html><html><head><title>Oops</title></head><body>Server error</body></html>' }),
      [LABELS]: () => ({ gunzip: true }),
    };
    await second.page.goto(`${server.url}?backend=cpu`);
    const status = await waitForDataOutcome(second.page);
    assert.match(status, /Could not load data\/t10k-images-idx3-ubyte\.gz: it is a web page \(HTML\), not an IDX file/);
    faults = {};
    await second.page.click('#data-retry');
    assert.match(await waitForDataOutcome(second.page), /70000 images loaded/);
    assertNoCrash(second.errors);
  } finally {
    await second.context.close();
  }

  // A connection dropped mid-download: retried by itself with back-off; twice is recovered
  // without the person, four times in a row needs Retry.
  const third = await launch({ webgpu: false });
  try {
    const before = server.requests.get(IMAGES) ?? 0;
    faults = { [IMAGES]: (n) => (n - before <= 2 ? { dropAfter: 1_000_000 } : undefined) };
    await third.page.goto(`${server.url}?backend=cpu`);
    await third.page.waitForFunction(() => /Trying again in/.test(document.querySelector('#data-status')?.textContent ?? ''), null, { timeout: 60_000, polling: 100 });
    assert.match(await third.page.textContent('#data-status'), /train-images-idx3-ubyte\.gz: the download broke off after \d+ of 26421856 bytes/);
    assert.match(await waitForDataOutcome(third.page), /70000 images loaded/);
    assert.equal(server.requests.get(IMAGES) - before, 3);
    assertNoCrash(third.errors);
  } finally {
    await third.context.close();
  }
  const fourth = await launch({ webgpu: false });
  try {
    faults = { [IMAGES]: () => ({ dropAfter: 500_000 }) };
    await fourth.page.goto(`${server.url}?backend=cpu`);
    const status = await waitForDataOutcome(fourth.page);
    assert.match(status, /the download broke off .* press Retry/);
    faults = {};
    await fourth.page.click('#data-retry');
    assert.match(await waitForDataOutcome(fourth.page), /70000 images loaded/);
    assertNoCrash(fourth.errors);
  } finally {
    await fourth.context.close();
    await server.close();
  }
});

test('a diverging run says so; Train pressed twice starts one run; accessibility; a 360 px phone', { timeout: 10 * 60_000 }, async () => {
  const server = await serve();
  const { context, page, errors } = await launch({ webgpu: false });
  try {
    // A learning rate of NaN makes every weight NaN after the first step.
    await page.goto(`${server.url}?backend=cpu&lr=NaN`);
    await waitForData(page);
    const { outcome } = await trainInPage(page, { trainImages: 256, validationImages: 128, timeout: 5 * 60_000 });
    assert.match(outcome, /Training failed: the loss became NaN or infinite in epoch 1/);
    assertNoCrash(errors);

    // Double click: one run of 2 epochs, so exactly 2 rows.
    await page.goto(`${server.url}?backend=cpu`);
    await waitForData(page);
    await page.fill('#epochs-input', '2');
    await page.dispatchEvent('#epochs-input', 'change');
    await page.fill('#train-size', '256');
    await page.dispatchEvent('#train-size', 'change');
    await page.fill('#validation-size', '128');
    await page.dispatchEvent('#validation-size', 'change');
    await page.waitForSelector('#train-button:not([disabled])');
    await page.dblclick('#train-button');
    await page.waitForFunction(() => document.querySelector('#train-outcome')?.textContent?.length > 0, null, { timeout: 5 * 60_000, polling: 500 });
    assert.equal(await page.locator('#epoch-table tbody tr').count(), 2);
    assertNoCrash(errors);

    // axe-core on the whole page (light and dark themes).
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.addScriptTag({ path: join(ROOT, 'node_modules', 'axe-core', 'axe.min.js') });
      const violations = await page.evaluate(async () => {
        const result = await window.axe.run(document, { resultTypes: ['violations'] });
        return result.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
      });
      assert.deepEqual(violations, [], `${scheme}: ${violations.join('\n')}`);
    }

    // A phone, 360 px wide: nothing wider than the screen, and a finger draws.
    await page.setViewportSize({ width: 360, height: 780 });
    await page.goto(`${server.url}?backend=cpu`);
    await waitForData(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(overflow <= 360, `the page is ${overflow} px wide at 360 px`);
    await page.locator('#draw-canvas').scrollIntoViewIfNeeded();
    await page.evaluate(() => {
      const canvas = document.querySelector('#draw-canvas');
      const box = canvas.getBoundingClientRect();
      const touch = (type, fx, fy) => canvas.dispatchEvent(new PointerEvent(type, {
        pointerId: 7, pointerType: 'touch', isPrimary: true, bubbles: true, buttons: type === 'pointerup' ? 0 : 1,
        clientX: box.left + fx * box.width, clientY: box.top + fy * box.height,
      }));
      touch('pointerdown', 0.5, 0.1);
      for (let i = 1; i <= 20; i++) touch('pointermove', 0.5, 0.1 + 0.04 * i);
      touch('pointerup', 0.5, 0.9);
    });
    await page.waitForFunction(() => document.querySelectorAll('#probabilities li').length === 10, null, { timeout: 60_000 });
    const touched = await page.$$eval('#probabilities li', (items) => items.map((li) => Number(li.dataset.prob)));
    assert.ok(Math.abs(touched.reduce((a, b) => a + b, 0) - 1) < 1e-4);
    assertNoCrash(errors);
  } finally {
    await context.close();
    await server.close();
  }
});
