// End-to-end: the regularization study in the page on WebGPU (SwiftShader), on a small real
// subset: two configurations, live curves, the results table, the top model tested, the JSON
// export, and the results still there after a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { serve, launch, waitForData, setNumber, ensureArtifacts, ROOT, assertNoCrash } from './harness.mjs';

let server;
before(async () => { server = await serve(); });
after(async () => { await server?.close(); });

/** Counts the chart's pixels that are neither white nor grey (curve colours). */
function colouredPixels(page, selector) {
  return page.$eval(selector, (c) => {
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < px.length; i += 4) {
      const [r, g, b] = [px[i], px[i + 1], px[i + 2]];
      if (Math.max(r, g, b) - Math.min(r, g, b) > 60) n++;
    }
    return n;
  });
}

async function tableRows(page) {
  return page.$$eval('#study-table tbody tr', (rows) => rows.map((tr) => ({
    model: Number(tr.dataset.model),
    best: tr.classList.contains('best'),
    cells: [...tr.querySelectorAll('td')].map((td) => td.textContent.trim()),
    validation: Number(tr.querySelector('.val-accuracy').dataset.value),
  })));
}

test('two configurations run on WebGPU: curves, table, test, export, reload', { timeout: 12 * 60_000 }, async () => {
  const { context, page, errors } = await launch({ webgpu: true });
  try {
    await page.goto(`${server.url}?backend=webgpu`);
    await waitForData(page);
    await page.waitForFunction(() => document.querySelector('#backend-name')?.textContent === 'WebGPU', null, { timeout: 60_000 });
    // Models 2 and 4 (the 1-conv ones, cheapest on SwiftShader) instead of the default eight.
    for (const id of [1, 3, 5, 6, 7, 8]) await page.uncheck(`#study-model-${id}`);
    assert.deepEqual(await page.$$eval('.study-models input:checked', (xs) => xs.map((x) => x.id)), ['study-model-2', 'study-model-4']);
    await setNumber(page, '#study-train-size', 768);
    await setNumber(page, '#study-validation-size', 256);
    await setNumber(page, '#study-test-size', 256);
    await setNumber(page, '#study-max-epochs', 2);
    await page.click('#study-run');
    await page.waitForFunction(() => /^Done: /.test(document.querySelector('#study-progress-text')?.textContent ?? ''), null, { timeout: 10 * 60_000, polling: 1000 });
    assertNoCrash(errors);

    const rows = await tableRows(page);
    assert.deepEqual(rows.map((r) => r.model), [2, 4]);
    for (const r of rows) {
      assert.ok(r.validation > 0.4 && r.validation <= 1, `model ${r.model} validation accuracy ${r.validation}`);
      assert.equal(r.cells[4], '2', 'epochs run');
      assert.match(r.cells[12], /finished/);
    }
    assert.equal(rows.filter((r) => r.best).length, 1, 'one row highlighted');
    assert.equal(rows.find((r) => r.best).validation, Math.max(...rows.map((r) => r.validation)));
    assert.equal(rows[0].cells[3], '63050');
    assert.equal(rows[1].cells[3], '628630');

    // Curves: both models are in the first panel (models 1-4), accuracy and loss.
    assert.ok(await colouredPixels(page, '#study-chart-0') > 300, 'accuracy curves drawn');
    assert.ok(await colouredPixels(page, '#study-chart-2') > 300, 'loss curves drawn');
    assert.ok(await colouredPixels(page, '#study-chart-1') < 50, 'the panel for models 5-9 has no curve');

    // The top model: confusion matrix over the 256 test images.
    const accuracy = Number(await page.getAttribute('#study-test-accuracy', 'data-value'));
    assert.ok(accuracy > 0.4, `test accuracy ${accuracy}`);
    const confusion = await page.$$eval('#confusion-matrix tbody tr', (rows) => rows.map((tr) => [...tr.querySelectorAll('td:not(.per-class)')].map((td) => Number(td.textContent))));
    assert.equal(confusion.length, 10);
    assert.equal(confusion.flat().reduce((a, b) => a + b, 0), 256);
    const diagonal = confusion.reduce((s, row, i) => s + row[i], 0);
    assert.ok(Math.abs(diagonal / 256 - accuracy) < 1e-9);
    assert.ok(await page.locator('.mistake canvas').count() > 0, 'misclassified images shown');

    await mkdir(join(ROOT, 'docs'), { recursive: true });
    await page.locator('#study').screenshot({ path: join(await ensureArtifacts(), 'study-small.png') });

    // Export: a JSON download with every per-epoch number.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#study-export-json')]);
    const path = join(await ensureArtifacts(), 'study.json');
    await download.saveAs(path);
    const exported = JSON.parse(await readFile(path, 'utf8'));
    assert.equal(exported.format, 1);
    assert.equal(exported.seed, 42);
    assert.deepEqual(exported.runs.map((r) => r.model.id), [2, 4]);
    assert.ok(exported.runs.every((r) => r.epochs.length === 2 && r.epochs.every((e) => e.validation.accuracy > 0)));
    assert.match(exported.runs[0].backend, /WebGPU/);
    assert.equal(exported.top.test.count, 256);
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#study-export-csv')]);
    const csvText = await readFile(await csv.path(), 'utf8');
    assert.equal(csvText.trim().split('\n').length, 1 + 4);

    // Reload: the study is still there, with its curves.
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('#study-table tbody tr').length === 2, null, { timeout: 60_000 });
    const again = await tableRows(page);
    assert.deepEqual(again.map((r) => r.validation), rows.map((r) => r.validation));
    await page.waitForFunction(() => document.querySelector('#study-test-accuracy') !== null, null, { timeout: 30_000 });
    assert.ok(await colouredPixels(page, '#study-chart-0') > 300, 'curves redrawn after the reload');

    // The reference study shipped with the site (all the data, run natively) replaces ours on
    // the page, ours is kept aside, and "Back" brings it back unchanged.
    await page.click('#study-reference');
    await page.waitForFunction(() => document.querySelectorAll('#study-table tbody tr').length === 9, null, { timeout: 30_000 });
    const reference = await tableRows(page);
    assert.deepEqual(reference.map((r) => r.model), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const r of reference) assert.ok(r.validation >= 0.86, `reference model ${r.model} validation ${r.validation}`);
    assert.equal(reference.filter((r) => r.best).length, 1);
    assert.ok(Number(await page.getAttribute('#study-test-accuracy', 'data-value')) >= 0.9);
    assert.ok(await colouredPixels(page, '#study-chart-1') > 300, 'the reference fills the second panel');
    await page.locator('#study').screenshot({ path: join(ROOT, 'docs', 'study.png') });
    await page.click('#study-back');
    await page.waitForFunction(() => document.querySelectorAll('#study-table tbody tr').length === 2, null, { timeout: 30_000 });
    assert.deepEqual((await tableRows(page)).map((r) => r.validation), rows.map((r) => r.validation));
    assertNoCrash(errors);
  } finally {
    await context.close();
  }
});
