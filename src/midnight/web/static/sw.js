// The till's service worker (served as /till-sw.js, scope /till): keeps the till page and its scripts on
// the device so the till opens, and keeps selling, while the server can't be reached.
//
// - /till (a navigation): network first, with a short timeout; the copy kept is the page as last fetched
//   while signed in, marked data-origin="cache" so the page knows it is not fresh (its CSRF token and
//   its order panel's key may be stale: the page asks the server for new ones before selling online);
// - /static/*: cache first, in a cache named by VERSION (bump it when a file changes; the server also
//   stamps STATIC_VERSION with a digest of the static files, so a change of any of them is a new worker);
// - another page of the till (today's orders, decisions): the network, else a page saying it needs it;
// - nothing else: POSTs, the API, the snapshot (the page keeps it in IndexedDB) go to the network as is.
"use strict";
const VERSION = "1";
const STATIC_VERSION = "__STATIC_VERSION__";
const SHELL = `midnight-till-shell-${VERSION}-${STATIC_VERSION}`;
const PAGE = "midnight-till-page";
const STATIC = [
  "/static/style.css",
  "/static/htmx.min.js",
  "/static/app.js",
  "/static/till.js",
  "/static/till-offline.js",
  "/static/favicon.svg",
];
const NAVIGATION_TIMEOUT_MS = 4000;
const DROPPED_HEADERS = ["content-length", "content-encoding", "transfer-encoding", "set-cookie"];

self.addEventListener("install", event => {
  event.waitUntil((async () => {
    const shell = await caches.open(SHELL);
    await shell.addAll(STATIC.map(url => new Request(url, {cache: "reload"})));
    try {
      await keepPage(await fetch("/till", {credentials: "same-origin", cache: "no-store"}));
    } catch (e) { /* the page is kept the next time it is opened online */ }
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", event => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("midnight-till-shell-") && name !== SHELL) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// The till page as the server sent it, kept only if it is the till itself (not a login page, an error
// or a redirect), with the server's security headers, marked as a kept copy.
async function keepPage(response) {
  if (!response || !response.ok || response.redirected || response.type !== "basic") return;
  if (!(response.headers.get("content-type") || "").startsWith("text/html")) return;
  const html = await response.text();
  if (!html.includes('id="offline-settings" data-origin="server"')) return;
  const headers = new Headers();
  response.headers.forEach((value, name) => { if (!DROPPED_HEADERS.includes(name)) headers.set(name, value); });
  headers.set("content-type", "text/html; charset=utf-8");
  const kept = html.replace('id="offline-settings" data-origin="server"', 'id="offline-settings" data-origin="cache"');
  const cache = await caches.open(PAGE);
  await cache.put("/till", new Response(kept, {status: 200, headers}));
}

function notKeptYet() {
  const body = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Till offline</title>'
    + '<meta name="viewport" content="width=device-width, initial-scale=1"></head><body><main>'
    + "<h1>The server can't be reached</h1><p>This device has no copy of the till yet: open the till once "
    + "while the server can be reached (signed in), and it keeps selling when the connection drops.</p>"
    + '<p><a href="/till">Try again</a></p></main></body></html>';
  return new Response(body, {status: 503, headers: {"content-type": "text/html; charset=utf-8"}});
}

async function tillPage(event) {
  const network = fetch(event.request);
  const saved = network.then(response => keepPage(response.clone())).catch(() => {});
  event.waitUntil(saved);
  const late = new Promise(resolve => setTimeout(resolve, NAVIGATION_TIMEOUT_MS, null));
  try {
    const answer = await Promise.race([network, late]);
    if (answer) return answer;
  } catch (e) { /* no network: the kept copy below */ }
  const kept = await caches.match("/till", {cacheName: PAGE});
  if (kept) return kept;
  try {
    return await network;
  } catch (e) {
    return notKeptYet();
  }
}

function needsServer() {
  const body = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Needs the server</title>'
    + '<meta name="viewport" content="width=device-width, initial-scale=1"></head><body><main>'
    + "<h1>This page needs the server</h1><p>The server can't be reached just now. The till itself keeps "
    + "selling offline.</p><p><a href=\"/till\">Back to the till</a></p></main></body></html>";
  return new Response(body, {status: 503, headers: {"content-type": "text/html; charset=utf-8"}});
}

async function staticFile(request) {
  const shell = await caches.open(SHELL);
  const hit = await shell.match(request, {ignoreSearch: true});
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok && response.type === "basic") await shell.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", event => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === "/till") {
    event.respondWith(tillPage(event));
  } else if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => needsServer()));  // today's orders, decisions …
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(staticFile(request));
  }
});
