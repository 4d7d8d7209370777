// End-to-end: photos through the real upload path with the pretrained model, the awkward
// uploads, and saving / reloading / loading models.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, launch, waitForData, trainInPage, uploadFiles, ROOT, assertNoCrash } from './harness.mjs';

const CASES = join(ROOT, 'tests', 'fixtures', 'uploads');
const CLASS_NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

let server;
before(async () => { server = await serve(); });
after(async () => { await server?.close(); });

async function openWithPretrained(webgpu) {
  const session = await launch({ webgpu });
  await session.page.goto(server.url);
  await session.page.waitForFunction(() => /pretrained/.test(document.querySelector('#active-model')?.textContent ?? ''), null, { timeout: 60_000 });
  return session;
}

test('20 shop photos, uploaded at once, are classified by the pretrained model', { timeout: 5 * 60_000 }, async () => {
  const { context, page, errors } = await openWithPretrained(false);
  try {
    assert.match(await page.textContent('#active-model'), /model 4 \(pretrained\), test accuracy 9\d\.\d%/);
    const labels = (await readFile(join(CASES, 'labels.csv'), 'utf8')).trim().split('\n').slice(1)
      .map((line) => line.split(',')).map(([file, label]) => ({ file, label: Number(label) }));
    assert.equal(labels.length, 20);
    const results = await uploadFiles(page, labels.map((l) => join(CASES, l.file)));
    let correct = 0;
    console.log('file        true class    predicted (probability)');
    for (const [i, r] of results.entries()) {
      assert.equal(r.file, labels[i].file);
      assert.ok(r.ok, `${r.file}: ${r.error}`);
      const sum = r.probabilities.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-3, `${r.file} probabilities sum to ${sum}`);
      const hit = r.predicted === labels[i].label;
      correct += hit;
      console.log(`${r.file}  ${CLASS_NAMES[labels[i].label].padEnd(12)}  ${CLASS_NAMES[r.predicted]} (${(r.prob * 100).toFixed(1)}%)${hit ? '' : '  <- wrong'}`);
    }
    console.log(`${correct} of 20 correct`);
    assert.ok(correct >= 17, `${correct} of 20 correct`);
    assertNoCrash(errors);
  } finally {
    await context.close();
  }
});

test('awkward uploads give the right class or a clear message, and the page keeps working', { timeout: 5 * 60_000 }, async () => {
  const { context, page, errors } = await openWithPretrained(false);
  try {
    const special = {
      'blank_white.png': /no garment found/,
      'empty.jpg': /the file is empty/,
      'not_an_image.png': /not an image the browser can decode/,
      'gray16_trouser_label1.png': 1,
      'huge_6000x4000_bag_label8.png': 8,
      'transparent_sneaker_label7.png': 7,
    };
    const names = Object.keys(special);
    const results = await uploadFiles(page, names.map((n) => join(CASES, 'special', n)));
    for (const r of results) {
      const expected = special[r.file];
      console.log(`${r.file}: ${r.ok ? `${CLASS_NAMES[r.predicted]} (${(r.prob * 100).toFixed(1)}%)` : r.error}`);
      if (typeof expected === 'number') {
        assert.ok(r.ok, `${r.file}: ${r.error}`);
        assert.equal(r.predicted, expected, `${r.file} predicted ${CLASS_NAMES[r.predicted]}`);
      } else {
        assert.ok(!r.ok, `${r.file} should be refused`);
        assert.match(r.error, expected);
      }
    }
    // A file that is not an image at all, by its type.
    await page.setInputFiles('#upload-input', [{ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('a shirt, size M') }]);
    await page.waitForFunction(() => document.querySelector('#upload-results > li[data-file="notes.txt"]'));
    assert.match(await page.textContent('#upload-results > li .error'), /unsupported format \(text\/plain\)/);
    // Other formats: WebP, an animated GIF (its first frame counts), a PNG with alpha.
    const formats = {
      'sandal_label5.webp': 5,
      'animated_first_frame_trouser_label1.gif': 1,
      'bag_label8_alpha.png': 8,
    };
    for (const r of await uploadFiles(page, Object.keys(formats).map((n) => join(CASES, 'formats', n)))) {
      console.log(`${r.file}: ${r.ok ? `${CLASS_NAMES[r.predicted]} (${(r.prob * 100).toFixed(1)}%)` : r.error}`);
      assert.ok(r.ok, `${r.file}: ${r.error}`);
      assert.equal(r.predicted, formats[r.file], `${r.file} predicted ${CLASS_NAMES[r.predicted]}`);
    }
    // The page still works after the bad files.
    const again = await uploadFiles(page, [join(CASES, 'case001.png')]);
    assert.equal(again[0].predicted, 7);
    assertNoCrash(errors);
  } finally {
    await context.close();
  }
});

function assertClose(a, b, what) {
  assert.equal(a.length, 10);
  assert.equal(b.length, 10);
  for (let i = 0; i < 10; i++) assert.ok(Math.abs(a[i] - b[i]) < 0.01, `${what}: ${a} vs ${b}`);
}

test('a trained model survives a reload, saves to a file and loads back; a corrupt file is refused', { timeout: 8 * 60_000 }, async () => {
  const { context, page, errors } = await openWithPretrained(false);
  const photo = join(CASES, 'case005.png');
  try {
    await waitForData(page);
    const pretrained = (await uploadFiles(page, [photo]))[0].probabilities;
    const trained = await trainInPage(page, { trainImages: 2560, validationImages: 500, timeout: 5 * 60_000 });
    assert.ok(trained.accuracy > 0.5, trained.outcome);
    await page.waitForFunction(() => /trained here/.test(document.querySelector('#active-model').textContent));
    const mine = (await uploadFiles(page, [photo]))[0].probabilities;
    assert.ok(mine.some((p, i) => Math.abs(p - pretrained[i]) > 0.01), 'training changed the model');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save-model')]);
    const dir = await mkdtemp(join(tmpdir(), 'fashion-lab-model-'));
    const saved = join(dir, 'model.bpk');
    await download.saveAs(saved);
    assert.match(await page.textContent('#model-message'), /Saved model 4 trained here/);

    await page.reload();
    await page.waitForFunction(() => /restored from this browser's storage/.test(document.querySelector('#active-model')?.textContent ?? ''), null, { timeout: 60_000 });
    assertClose((await uploadFiles(page, [photo]))[0].probabilities, mine, 'after reload');

    await page.click('#use-pretrained');
    await page.waitForFunction(() => /pretrained/.test(document.querySelector('#active-model').textContent));
    assertClose((await uploadFiles(page, [photo]))[0].probabilities, pretrained, 'pretrained again');

    await page.setInputFiles('#load-model', saved);
    await page.waitForFunction(() => /Loaded model.bpk/.test(document.querySelector('#model-message').textContent));
    assertClose((await uploadFiles(page, [photo]))[0].probabilities, mine, 'loaded from the file');

    const bytes = await readFile(saved);
    const corrupt = join(dir, 'corrupt.bpk');
    await writeFile(corrupt, bytes.subarray(0, bytes.length / 3));
    const before = await page.textContent('#active-model');
    await page.setInputFiles('#load-model', corrupt);
    await page.waitForFunction(() => /was not loaded/.test(document.querySelector('#model-message').textContent));
    assert.match(await page.textContent('#model-message'), /corrupt\.bpk was not loaded: this is not a Fashion Lab model file .*The model in use is unchanged/);
    assert.equal(await page.textContent('#active-model'), before);
    assertClose((await uploadFiles(page, [photo]))[0].probabilities, mine, 'after the corrupt file');
    assertNoCrash(errors);
  } finally {
    await context.close();
  }
});
