// Fashion Lab's service worker: after one visit the app opens offline.
//
// - On install it caches the app shell: the page, the scripts, the wasm and the stylesheet it
//   links (read from the page itself, so hashed file names need no list here) and the shipped
//   models and reference study.
// - Requests go to the network first, so a new deploy is used as soon as it is online; when the
//   network fails, the cached copy answers.
// - BUILD_ID is replaced at build time (a Trunk hook) by a hash of the build: a new deploy has a
//   new worker, whose activation deletes the previous build's cache.
// - The data files are not handled here: the page keeps its own verified copy of each
//   (src/web/download.rs, cache "fashion-lab-data-v1"), which survives deploys.
const BUILD_ID = '__FASHION_LAB_BUILD_ID__';
const SHELL_CACHE = `fashion-lab-shell-${BUILD_ID}`;
const SHIPPED = ['assets/model4.bpk', 'assets/representation.bpk', 'assets/study-reference.json'];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    const page = await fetch('./', { cache: 'no-cache' });
    if (!page.ok) throw new Error(`the page answered HTTP ${page.status}`);
    const html = await page.clone().text();
    await cache.put('./', page);
    const linked = [...html.matchAll(/(?:href|src)=["']([^"'#?]+)["']/g)]
      .map((m) => m[1])
      .filter((url) => !/^[a-z]+:/i.test(url) && !url.startsWith('//') && url !== './');
    // The module script trunk inlines imports the JS glue by a relative path.
    const imported = [...html.matchAll(/from\s+["']([^"']+\.js)["']|import\(["']([^"']+\.js)["']\)/g)]
      .map((m) => m[1] ?? m[2]);
    const urls = [...new Set([...linked, ...imported, ...SHIPPED])];
    await Promise.all(urls.map(async (url) => {
      try {
        // Hashed names never change content, so the HTTP cache may answer.
        const response = await fetch(url);
        if (response.ok) await cache.put(url, response);
      } catch {
        // A missing optional file must not stop the worker from installing.
      }
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('fashion-lab-shell-') && name !== SHELL_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  const scope = new URL(self.registration.scope);
  if (request.method !== 'GET' || url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  const path = url.pathname.slice(scope.pathname.length);
  if (path.startsWith('data/')) return;
  event.respondWith((async () => {
    const cache = await caches.open(SHELL_CACHE);
    try {
      const response = await fetch(request);
      if (response.ok && response.type === 'basic') {
        const key = request.mode === 'navigate' ? './' : request;
        event.waitUntil(cache.put(key, response.clone()).catch(() => {}));
      }
      return response;
    } catch (error) {
      const cached = request.mode === 'navigate'
        ? await cache.match('./')
        : await cache.match(request, { ignoreSearch: true });
      if (cached) return cached;
      throw error;
    }
  })());
});
