// Shared by the end-to-end tests and the benchmark: serves dist/ on 127.0.0.1 and opens it in
// the system's headless Chromium (never a downloaded browser).
import { createServer } from 'node:http';
import { readFile, mkdtemp, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, extname, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST = join(ROOT, 'dist');
export const ARTIFACTS = join(ROOT, 'tests', 'e2e', 'artifacts');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.gz': 'application/gzip',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** Serves `dir` on 127.0.0.1 at a free port, under `prefix` (as a project page of a git host
 *  is served under /name/). `fault(path, n)`, called for the n-th request (from 1) of each path
 *  below the prefix, may make the server misbehave: { status } answers with that HTTP status,
 *  { html } answers 200 with an HTML page, { gunzip } sends a .gz file already decompressed,
 *  { dropAfter } sends the full Content-Length, that many bytes, then drops the connection.
 *  Resolves to { url, close, requests } (requests: path -> count). */
export async function serve(dir = DIST, { prefix = '/', fault } = {}) {
  const requests = new Map();
  const server = createServer(async (req, res) => {
    const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (!pathname.startsWith(prefix)) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    const path = normalize(pathname.slice(prefix.length)).replace(/^(\.\.[/\\])+/, '');
    const n = (requests.get(path) ?? 0) + 1;
    requests.set(path, n);
    const misbehave = fault?.(path, n);
    if (misbehave?.status) {
      res.writeHead(misbehave.status, { 'content-type': 'text/plain' });
      res.end(`error ${misbehave.status}`);
      return;
    }
    if (misbehave?.html) {
      const page = Buffer.from(misbehave.html);
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': page.length });
      res.end(page);
      return;
    }
    const file = join(dir, path === '.' || path.endsWith('/') ? join(path, 'index.html') : path);
    let body;
    try {
      body = await readFile(file);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    if (misbehave?.gunzip) body = gunzipSync(body);
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': body.length });
    if (misbehave?.dropAfter !== undefined) {
      res.write(body.subarray(0, misbehave.dropAfter), () => setTimeout(() => res.destroy(), 50));
      return;
    }
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    requests,
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
  };
}

/** Launches headless Chromium; `webgpu` adds the flag that enables WebGPU on SwiftShader. */
export async function launch({ webgpu }) {
  const userDataDir = await mkdtemp(join(tmpdir(), 'fashion-lab-chromium-'));
  const args = [
    '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync',
  ];
  if (webgpu) args.push('--enable-unsafe-webgpu');
  else args.push('--disable-webgpu', '--disable-features=WebGPU');
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args,
    viewport: { width: 1200, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return { context, page, errors };
}

/** Waits until the page has downloaded and parsed the real data. */
export async function waitForData(page, timeout = 120_000) {
  await page.waitForFunction(
    () => /images loaded/.test(document.querySelector('#data-status')?.textContent ?? '')
      || document.querySelector('#data-status.error'),
    null, { timeout });
  return page.textContent('#data-status');
}

/** Sets a number input the way a person does: type and commit. */
export async function setNumber(page, selector, value) {
  await page.fill(selector, String(value));
  await page.dispatchEvent(selector, 'change');
}

/** Trains through the page's controls; resolves to the validation accuracy the page reports. */
export async function trainInPage(page, { trainImages, validationImages, epochs = 1, timeout }) {
  await setNumber(page, '#epochs-input', epochs);
  await setNumber(page, '#train-size', trainImages);
  await setNumber(page, '#validation-size', validationImages);
  await page.waitForSelector('#train-button:not([disabled])', { timeout: 60_000 });
  await page.click('#train-button');
  await page.waitForFunction(
    () => document.querySelector('#train-outcome')?.textContent?.length > 0,
    null, { timeout, polling: 1000 });
  const outcome = await page.textContent('#train-outcome');
  const accuracy = await page.getAttribute('#train-outcome', 'data-val-accuracy');
  const throughput = await page.$$eval('#epoch-table .throughput', (cells) => cells.map((c) => Number(c.dataset.value)));
  return { outcome, accuracy: accuracy === null ? NaN : Number(accuracy), throughput };
}

/** Draws a T-shirt-like stroke on the drawing canvas; resolves to the 10 probabilities. */
export async function drawAndClassify(page) {
  const canvas = page.locator('#draw-canvas');
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  const at = (fx, fy) => [box.x + fx * box.width, box.y + fy * box.height];
  await page.mouse.move(...at(0.3, 0.2));
  await page.mouse.down();
  for (const [fx, fy] of [[0.7, 0.2], [0.7, 0.8], [0.3, 0.8], [0.3, 0.2], [0.15, 0.35], [0.85, 0.35]]) {
    await page.mouse.move(...at(fx, fy), { steps: 8 });
  }
  await page.mouse.up();
  await page.waitForFunction(() => document.querySelectorAll('#probabilities li').length === 10, null, { timeout: 60_000 });
  return page.$$eval('#probabilities li', (items) => items.map((li) => Number(li.dataset.prob)));
}

export async function ensureArtifacts() {
  await mkdir(ARTIFACTS, { recursive: true });
  return ARTIFACTS;
}

/** Uploads `paths` through the file picker; resolves to one result per file, in order:
 *  { file, ok, predicted, prob, probabilities, error }. */
export async function uploadFiles(page, paths, timeout = 120_000) {
  await page.setInputFiles('#upload-input', paths);
  await page.waitForFunction(
    (n) => document.querySelectorAll('#upload-results > li').length === n, paths.length, { timeout, polling: 250 });
  return page.$$eval('#upload-results > li', (items) => items.map((li) => ({
    file: li.dataset.file,
    ok: li.classList.contains('upload-ok'),
    predicted: li.dataset.class === undefined ? null : Number(li.dataset.class),
    prob: li.dataset.prob === undefined ? null : Number(li.dataset.prob),
    probabilities: [...li.querySelectorAll('.probabilities li')]
      .sort((a, b) => Number(a.dataset.class) - Number(b.dataset.class))
      .map((b) => Number(b.dataset.prob)),
    error: li.querySelector('.error')?.textContent ?? null,
  })));
}

/** Fails when the page logged a Rust panic or a wasm trap. */
export function assertNoCrash(errors) {
  const crashes = errors.filter((e) => /panicked|RuntimeError|unreachable/.test(e));
  if (crashes.length) throw new Error(`the page crashed: ${crashes.join('\n')}`);
}
