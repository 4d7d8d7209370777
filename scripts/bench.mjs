// Benchmark (not a test): prints the wasm size, the time to download and parse the data in the
// page, and training throughput on WebGPU (SwiftShader here) and on the CPU fallback, all in
// headless Chromium on 127.0.0.1. Run after `trunk build --release`:
//   node scripts/bench.mjs [webgpu-train-images] [cpu-train-images]
import { readdir, readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { serve, launch, waitForData, trainInPage, DIST } from '../tests/e2e/harness.mjs';

const webgpuImages = Number(process.argv[2] ?? 1280);
const cpuImages = Number(process.argv[3] ?? 6400);
const rows = [];
const add = (what, value) => { rows.push([what, value]); console.log(`${what}: ${value}`); };

for (const name of await readdir(DIST)) {
  if (name.endsWith('.wasm') || name.endsWith('.js')) {
    const bytes = await readFile(join(DIST, name));
    add(`${name.endsWith('.wasm') ? 'wasm' : 'js'} size (raw / gzip -9)`,
      `${(bytes.length / 1e6).toFixed(2)} MB / ${(gzipSync(bytes, { level: 9 }).length / 1e6).toFixed(2)} MB`);
  }
}

const server = await serve();
for (const webgpu of [true, false]) {
  const { context, page } = await launch({ webgpu });
  try {
    const t0 = Date.now();
    await page.goto(server.url);
    const status = await waitForData(page);
    const loadMs = Date.now() - t0;
    const parseMs = Number(/in (\d+) ms/.exec(status)?.[1]);
    const backend = await page.textContent('#backend-name');
    if (webgpu) {
      add('page open to data ready (download 30 MB + parse, localhost)', `${loadMs} ms`);
      add('decompress + parse + split of 70,000 images in the page', `${parseMs} ms`);
    }
    const images = webgpu ? webgpuImages : cpuImages;
    const result = await trainInPage(page, { trainImages: images, validationImages: 500, timeout: 30 * 60_000 });
    add(`training, model 4, batch 128, ${backend} (${images} images, 1 epoch)`, `${result.throughput[0]?.toFixed(1)} images/s`);
  } finally {
    await context.close();
  }
}
await server.close();
console.log('\n| measure | value |\n| --- | --- |');
for (const [what, value] of rows) console.log(`| ${what} | ${value} |`);
