// The playground's service worker: after the first visit the page works offline. On install it
// caches every file of the build (precache.json, written by vite.config.ts); requests go to the
// network first (so a running server always serves fresh files) and fall back to the cache when
// the network fails. Only same-origin GET requests are handled; URLs given by the user on other
// origins are fetched as usual.
const CACHE = "spey-playground-v1";

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const files = await (await fetch("./precache.json", { cache: "no-store" })).json();
      await cache.addAll(["./", ...files]);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    (async () => {
      try {
        return await fetch(request);
      } catch (error) {
        // Offline: the cached file (the page itself for any ?query of it).
        const cached = await caches.match(request, { ignoreSearch: true, ignoreVary: true });
        if (cached) return cached;
        throw error;
      }
    })(),
  );
});
