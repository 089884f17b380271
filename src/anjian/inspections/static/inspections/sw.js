// Service worker for /inspections/: network first; when the network is gone, the copy
// the inspection page stored of itself (and of its scripts and styles) is served, so
// an inspection page reopened without a connection still opens with its saved answers.
const CACHE = "anjian-inspections-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });
self.addEventListener("fetch", function (event) {
  const request = event.request;
  if (request.method !== "GET") return;
  event.respondWith(
    fetch(request).catch(function () {
      return caches.open(CACHE)
        .then(function (cache) { return cache.match(request, { ignoreVary: true }); })
        .then(function (hit) { return hit || Response.error(); });
    })
  );
});
