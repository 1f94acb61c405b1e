// looplab's service worker (the build prepends VERSION and PRECACHE: scripts/offline/vitePlugin.ts).
// Two jobs:
// 1. Offline: on install it caches every file of the build (the page, the kernels' generator, the
//    workers, tfjs's wasm, the agent's models), so that after one visit the page works with the
//    network off. Files under assets/ carry a content hash in their name: served from the cache.
//    Everything else (the page itself, the agent's files) is fetched first and the cache is the
//    fallback, so that a new build is seen as soon as the network is there.
// 2. Cross-origin isolation on hosts that cannot send headers (the coi-serviceworker approach):
//    every same-origin response it serves carries COOP/COEP, so the page, reloaded once under this
//    worker, gets shared memory and threads (src/offline/registerServiceWorker.ts does the reload).
// Each build has its own cache (looplab-<VERSION>); activating deletes the others, and
// skipWaiting + clients.claim put a new build's worker in charge at once.
/* global VERSION, PRECACHE */
const CACHE = `looplab-${VERSION}`;
const INDEX = new URL('./', self.registration.scope).href;

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // cache: 'reload' skips the HTTP cache: a stale file never lands in a new build's cache.
      await cache.addAll(
        PRECACHE.map((path) => new Request(new URL(path, self.registration.scope), { cache: 'reload' })),
      );
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('looplab-') && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

// A page asks whether a file (its own entry script) is of this build: if not, the page is an older build.
self.addEventListener('message', (event) => {
  const port = event.ports[0];
  if (event.data?.looplab === 'has' && port) port.postMessage(PRECACHE_PATHS.has(event.data.path));
});

/** A copy of a response with the cross-origin-isolation headers (opaque responses can't be copied). */
function isolated(response) {
  if (!response || response.status === 0 || response.type === 'opaqueredirect') return response;
  const headers = new Headers(response.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/**
 * The cached copy of a file. By its path alone: a server's `Vary: Origin` (vite preview sends it)
 * would otherwise keep a module script's request from matching the copy cached without an Origin.
 */
async function fromCache(request) {
  const cache = await caches.open(CACHE);
  return cache.match(request, { ignoreSearch: true, ignoreVary: true });
}

/** The network's answer (kept in the cache when it is a precached file), else the cache's. */
async function networkFirst(request, fallback) {
  try {
    const response = await fetch(request);
    if (response.ok && request.method === 'GET') {
      const path = new URL(request.url).pathname;
      if (PRECACHE_PATHS.has(path)) {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(path, copy));
      }
    }
    return response;
  } catch (error) {
    const cached = (await fromCache(request)) ?? (fallback ? await fromCache(fallback) : undefined);
    if (cached) return cached;
    throw error;
  }
}

const PRECACHE_PATHS = new Set(PRECACHE.map((path) => new URL(path, self.registration.scope).pathname));
const ASSETS = new URL('./assets/', self.registration.scope).pathname;

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  // A Range request (media) is answered by the network: the cache holds whole files.
  if (request.headers.has('range')) return;
  event.respondWith(
    (async () => {
      if (request.mode === 'navigate') return isolated(await networkFirst(request, INDEX));
      if (url.pathname.startsWith(ASSETS)) {
        const cached = await fromCache(request);
        if (cached) return isolated(cached);
      }
      return isolated(await networkFirst(request));
    })(),
  );
});
