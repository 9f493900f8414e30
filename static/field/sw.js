// The field app's service worker (served at /sw.js with CONFIG prepended by field.views.service_worker).
// It caches the app shell (/field/, its CSS, scripts and icons, the manifest) and nothing else: every other
// page of the site goes to the network untouched, so no sensitive page is ever kept on the phone. The work
// data lives in IndexedDB (static/field/store.js), not here.
/* global CONFIG */
const CACHE = `field-${CONFIG.version}`;
const SHELL = [CONFIG.shell, CONFIG.manifest, ...CONFIG.files];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) =>
        Promise.all(
          SHELL.map((url) =>
            fetch(new Request(url, { credentials: "same-origin" })).then((response) => {
              // Never the login page in place of the shell (a redirect when the session has ended).
              if (response.ok && !response.redirected) return cache.put(url, response);
              return undefined;
            }),
          ),
        ),
      )
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("field-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

function isShell(url) {
  return url.origin === self.location.origin && (url.pathname === CONFIG.shell || url.pathname === CONFIG.manifest);
}

function isShellFile(url) {
  return url.origin === self.location.origin && CONFIG.files.includes(url.pathname);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (isShell(url)) {
    // Network first (a new version, or the login page when the session ended); the cached shell offline.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok && !response.redirected && response.type === "basic") {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
          }
          return response;
        })
        .catch(() => caches.match(url.pathname, { cacheName: CACHE }).then((hit) => hit || Response.error())),
    );
  } else if (isShellFile(url)) {
    event.respondWith(
      caches.match(url.pathname, { cacheName: CACHE }).then(
        (hit) =>
          hit ||
          fetch(request).then((response) => {
            if (response.ok) {
              const copy = response.clone();
              caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
            }
            return response;
          }),
      ),
    );
  }
  // Anything else: not intercepted (the network, as without a service worker).
});
