// The till when the server can't be reached: it keeps selling from the menu and prices it last saw,
// keeps every order in this browser (IndexedDB) with its idempotency key, and sends them, oldest first,
// when the server is back. The server prices each order and draws its stock when it arrives; the key
// makes a resend harmless. Money is integer minor units throughout: no float ever holds an amount.
(function () {
  "use strict";
  const settings = document.getElementById("offline-settings");
  const till = document.getElementById("till");
  if (!settings || !till) return;

  const DB_NAME = "midnight-till";
  const SNAPSHOT_EVERY_MS = 3 * 60 * 1000;
  const PROBE_ONLINE_MS = 20000;   // while selling online: is the server still there?
  const PROBE_OFFLINE_MS = 5000;   // while offline: is it back?
  const PROBE_TIMEOUT_MS = 3000;
  const SEND_TIMEOUT_MS = 20000;
  const FIRST_RETRY_MS = 1000;
  const LAST_RETRY_MS = 60000;
  const PENDING = ["waiting", "sending"];

  let fromCache = settings.dataset.origin === "cache";
  let snap = null;          // the menu as last seen: what the offline panel sells from
  let csrf = pageToken();
  let offline = false;      // the offline panel is showing
  let returning = false;    // on the way back online: asking the server for a fresh panel
  let letThrough = false;   // the request htmx is making is the page's own way back
  let queue = [];           // the orders kept in this browser (IndexedDB), oldest first
  const sent = [];          // what the server answered for orders sent this session
  let loginNeeded = false;
  let tokenStale = false;
  let retryTimer = null;
  let retryMs = FIRST_RETRY_MS;
  let sending = false;
  let failed = null;        // why the last send failed: "network" (retried as soon as the server is back) or "server"
  let reachable = false;    // while offline: the server answered the last probe (it is back)
  let order = null;         // the offline order being rung (kept in IndexedDB as "current" too)
  let saved = null;         // the order being rung when the page was last closed or reloaded
  let started = false;      // what this browser kept (the snapshot, the queue, the order being rung) is read
  let offlineAsked = false; // the server was out of reach before that
  let choosing = null;      // an item whose modifiers are being chosen
  let lastPaid = null;      // what the panel says about the order just kept

  // --- IndexedDB: "meta" (the snapshot, the order counter, this device's prefix), "queue" (orders) --
  let dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        // version 2: a database left empty at version 1 (opened by something else first) gets its stores
        const request = indexedDB.open(DB_NAME, 2);
        request.onupgradeneeded = () => {
          const d = request.result;
          if (!d.objectStoreNames.contains("meta")) d.createObjectStore("meta");
          if (!d.objectStoreNames.contains("queue")) {
            d.createObjectStore("queue", {keyPath: "key"}).createIndex("seq", "seq", {unique: true});
          }
        };
        request.onsuccess = () => {
          const d = request.result;
          d.onversionchange = () => { d.close(); dbPromise = null; };  // a newer page wants to upgrade it
          resolve(d);
        };
        request.onerror = () => { dbPromise = null; reject(request.error); };
      });
    }
    return dbPromise;
  }
  // Runs `work(stores)` in one transaction; resolves with its result once the transaction commits.
  async function inTransaction(names, mode, work) {
    const d = await db();
    return new Promise((resolve, reject) => {
      const tx = d.transaction(names, mode);
      const stores = {};
      names.forEach(name => { stores[name] = tx.objectStore(name); });
      let result;
      Promise.resolve(work(stores, tx)).then(value => { result = value; }, reject);
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new Error("the transaction was aborted"));
    });
  }
  function asked(request) {
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  async function getMeta(name) {
    return inTransaction(["meta"], "readonly", s => asked(s.meta.get(name)));
  }
  async function putMeta(name, value) {
    return inTransaction(["meta"], "readwrite", s => asked(s.meta.put(value, name)));
  }
  async function loadQueue() {
    const all = await inTransaction(["queue"], "readonly", s => asked(s.queue.index("seq").getAll()));
    queue = all || [];
    return queue;
  }
  async function saveRecord(record) {
    await inTransaction(["queue"], "readwrite", s => asked(s.queue.put(record)));
  }
  async function dropRecord(key) {
    await inTransaction(["queue"], "readwrite", s => asked(s.queue.delete(key)));
  }
  // The order being rung, kept as it changes: a reload or a browser closed while offline finds it again.
  async function saveCurrent() {
    if (!order || !started) return;
    const kept = order.lines.length ? {key: order.key || null, lines: order.lines} : null;
    try { await putMeta("current", kept); } catch (e) { /* kept on the screen only */ }
  }
  // A paid order goes into the queue with the next local number, in one transaction (two tabs never
  // give one number twice).
  function tillName() { return (settings.dataset.till || "").trim(); }
  function tillPrefix() {
    const letters = tillName().toUpperCase().replace(/[^A-Z0-9]/g, "");
    return letters ? letters.slice(0, 8) : "";
  }
  async function keep(build) {
    return inTransaction(["meta", "queue"], "readwrite", async s => {
      const counter = (await asked(s.meta.get("counter"))) || 0;
      let device = await asked(s.meta.get("device"));
      const named = tillPrefix();
      if (named && device !== named) {  // a browser set up as a till numbers its orders after it
        device = named;
        s.meta.put(device, "device");
      }
      if (!device) {
        device = "T" + (1 + (randomBytes(1)[0] % 99));
        s.meta.put(device, "device");
      }
      const seq = counter + 1;
      s.meta.put(seq, "counter");
      const record = build(`${device}-${String(seq).padStart(4, "0")}`, seq, device);
      s.queue.put(record);
      s.meta.put(null, "current");  // paid: no longer the order being rung
      return record;
    });
  }

  function randomBytes(n) { return crypto.getRandomValues(new Uint8Array(n)); }
  function newKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = randomBytes(16);  // a version-4 UUID where randomUUID is not offered (plain http)
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = Array.from(b, x => x.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  // --- money: integer minor units; typed amounts parsed as decimal strings, by string operations ----
  function digits() { return snap ? snap.digits : 2; }
  function plain(minor) {
    const text = String(Math.abs(minor)).padStart(digits() + 1, "0");
    const whole = digits() ? text.slice(0, -digits()) : text;
    const part = digits() ? "." + text.slice(-digits()) : "";
    return (minor < 0 ? "-" : "") + whole + part;
  }
  function money(minor) {
    const text = plain(Math.abs(minor));
    const [whole, part] = text.split(".");
    const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (minor < 0 ? "-" : "") + ((snap && snap.symbol) || "") + grouped + (part !== undefined ? "." + part : "");
  }
  // "12.5" -> 1250; "" -> 0; null when it is not an amount of this currency.
  function parseMoney(typed) {
    const text = String(typed || "").trim();
    if (!text) return 0;
    const found = /^([0-9]{1,9})(?:\.([0-9]*))?$/.exec(text);
    if (!found) return null;
    const part = found[2] || "";
    if (part.length > digits()) return null;
    const minor = Number.parseInt(found[1] + part.padEnd(digits(), "0"), 10);
    return Number.isSafeInteger(minor) ? minor : null;
  }
  function localInstant(date) {
    // ISO 8601 with this device's offset: 2026-11-25T09:40:00.000+08:00
    const offset = -date.getTimezoneOffset();
    const sign = offset >= 0 ? "+" : "-";
    const two = n => String(Math.floor(Math.abs(n))).padStart(2, "0");
    const shifted = new Date(date.getTime() + offset * 60000).toISOString().slice(0, 23);
    return `${shifted}${sign}${two(offset / 60)}:${two(offset % 60)}`;
  }

  // --- talking to the server -------------------------------------------------------------------
  function pageToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || null; }
    catch (e) { return null; }
  }
  function useToken(token) {
    // the page's own requests (htmx) carry the fresh token from now on
    csrf = token;
    try {
      const headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      headers["X-CSRF-Token"] = token;
      document.body.setAttribute("hx-headers", JSON.stringify(headers));
    } catch (e) { /* left as it was */ }
  }
  async function timed(url, options, ms) {
    const control = new AbortController();
    const timer = setTimeout(() => control.abort(), ms);
    try {
      return await fetch(url, {credentials: "same-origin", cache: "no-store", ...options, signal: control.signal});
    } finally {
      clearTimeout(timer);
    }
  }
  async function probe() {
    try {
      const answer = await timed("/healthz", {}, PROBE_TIMEOUT_MS);
      return answer.ok;
    } catch (e) {
      return false;
    }
  }
  // The menu as the server sells it now, kept for offline use; "login" if the session ended.
  async function refreshSnapshot() {
    let answer;
    try {
      answer = await timed("/till/offline/snapshot", {headers: {Accept: "application/json"}}, SEND_TIMEOUT_MS);
    } catch (e) {
      return "unreachable";
    }
    if (answer.status === 401) { loginNeeded = true; renderBanner(); return "login"; }
    if (!answer.ok) return "unreachable";
    const fresh = await answer.json();
    useToken(fresh.csrf);
    delete fresh.csrf;
    snap = fresh;
    loginNeeded = false;
    tokenStale = false;
    await putMeta("snapshot", fresh);
    renderBanner();
    renderNote();
    if (offline && order && document.getElementById("offline-panel")) renderPay();  // a new card limit
    return "ok";
  }

  // --- the sender: one per browser (Web Locks), oldest first, removed only once acknowledged ------
  function pending() { return queue.filter(r => PENDING.includes(r.state)); }
  function later(ms) {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => { retryTimer = null; send(); }, ms);
  }
  function backOff() {
    later(retryMs);
    retryMs = Math.min(retryMs * 2, LAST_RETRY_MS);
  }
  async function send() {
    if (sending) return;
    sending = true;
    try {
      if (navigator.locks && navigator.locks.request) {
        await navigator.locks.request("midnight-till-sender", {ifAvailable: true}, async lock => {
          if (!lock) { later(5000); return; }  // another tab sends; look again in a while
          await drain();
        });
      } else {
        await drain();
      }
    } catch (e) {
      backOff();
    } finally {
      sending = false;
      renderBanner();
    }
  }
  async function drain() {
    let tokenTries = 0;
    let token = null;
    for (;;) {
      await loadQueue();
      const next = pending()[0];
      if (!next) {
        retryMs = FIRST_RETRY_MS;
        failed = null;
        renderBanner();
        if (offline) maybeBackOnline();
        return;
      }
      if (!token) {
        const got = await refreshSnapshot();
        if (got === "login") return;          // kept; sent once someone logs in
        if (got !== "ok") { failed = "network"; goOffline(); backOff(); return; }
        token = csrf;
      }
      next.state = "sending";
      await saveRecord(next);
      renderBanner();
      let answer;
      try {
        answer = await timed("/till/offline/orders", {
          method: "POST",
          headers: {"Content-Type": "application/json", "Idempotency-Key": next.key, "X-CSRF-Token": token},
          body: next.body,
        }, SEND_TIMEOUT_MS);
      } catch (e) {
        next.state = "waiting";  // the same order again, under the same key, after a while
        await saveRecord(next);
        failed = "network";
        goOffline();
        backOff();
        return;
      }
      const data = await answer.json().catch(() => null);
      if (answer.status === 200 || answer.status === 201) {
        reachable = true;
        sent.unshift({local_number: next.local_number, answer: data || {}});
        sent.splice(30);
        await dropRecord(next.key);
        retryMs = FIRST_RETRY_MS;
        failed = null;
        continue;
      }
      if (answer.status === 401) {
        next.state = "waiting";
        await saveRecord(next);
        loginNeeded = true;
        return;
      }
      if (answer.status === 403 && data && data.error && data.error.code === "csrf") {
        next.state = "waiting";
        await saveRecord(next);
        token = null;
        if (++tokenTries > 1) { tokenStale = true; return; }
        continue;
      }
      if (answer.status >= 500 || answer.status === 408 || answer.status === 429) {
        next.state = "waiting";
        await saveRecord(next);
        failed = "server";  // it answers, but can't take it now: the back-off is not cut short
        backOff();
        return;
      }
      // Refused as it is (malformed, or its key used for another order): kept and shown, never dropped.
      next.state = "refused";
      next.message = (data && data.error && data.error.message) || `refused (error ${answer.status})`;
      await saveRecord(next);
    }
  }

  // --- going offline and back ----------------------------------------------------------------
  function goOffline(serverAnswers = false) {
    if (!started) { offlineAsked = true; return; }  // start() goes offline once what was kept is read
    reachable = serverAnswers;
    if (offline) { renderBanner(); return; }
    offline = true;
    document.body.dataset.tillOffline = "1";  // app.js: the offline panel says it; no other banner
    const carried = carryOver();
    if (!carried.lines.length && saved && saved.lines.length) {
      // the order being rung when the page was reloaded (or the browser closed): as it was
      order = {key: saved.key || null, lines: saved.lines};
      lastPaid = {note: "The order being rung before the page was reloaded is back: finish it."};
    } else {
      order = {key: carried.key, lines: carried.lines};
      lastPaid = carried.note ? {note: carried.note} : null;
    }
    saved = null;
    choosing = null;
    const panel = document.getElementById("panel");
    if (panel) panel.hidden = true;
    buildPanel();
    hideNetBanner();
    render();
    later(PROBE_OFFLINE_MS);
  }
  // The order on the server's panel when the connection dropped, if there was one: its lines (those
  // the offline menu can ring) and its key, so that if its payment did reach the server, sending it
  // again records nothing twice.
  function carryOver() {
    const rows = Array.from(document.querySelectorAll("#panel #lines tr[data-code]"));
    const lines = [];
    const left = [];
    rows.forEach(row => {
      const item = itemOf(row.dataset.code);
      const qty = row.querySelector("input[name=qty]");
      const note = row.querySelector("input[name=note]");
      const count = qty && /^[0-9]{1,3}$/.test(qty.value.trim()) ? Number.parseInt(qty.value.trim(), 10) : 0;
      if (!item || item.groups.length || count < 1) { left.push(item ? item.name : row.dataset.code); return; }
      lines.push({code: item.code, name: item.name, unit: unitNow(item), mods: [], qty: count,
                  note: note ? note.value.slice(0, 500) : ""});
    });
    const key = document.querySelector("#panel input[name=key]");
    const note = left.length ? `Ring up again with their choices: ${left.join(", ")}.` : null;
    return {key: lines.length && key && key.value ? key.value : null, lines, note};
  }
  // htmx's own requests are held back while offline, except these (htmx:beforeRequest fires as
  // htmx.ajax is called).
  function ours(request) {
    letThrough = true;
    try { return request(); } finally { letThrough = false; }
  }
  function ringing() { return Boolean((order && order.lines.length) || choosing); }
  async function maybeBackOnline() {
    if (!offline || returning || pending().length || loginNeeded || ringing()) return;
    returning = true;  // one return at a time
    try {
      if (!(await probe())) return;
      reachable = true;
      if ((await refreshSnapshot()) !== "ok" || ringing() || pending().length) return;
      // A fresh order (a new key) from the server: never the key the page had before it went offline.
      await ours(() => htmx.ajax("POST", "/till/order", {target: "#panel", swap: "outerHTML", values: {}}));
      if (fromCache) {
        await ours(() => htmx.ajax("GET", "/till/items", {target: "#items", swap: "innerHTML"}));
        fromCache = false;
        settings.dataset.origin = "server";
      }
      const fresh = document.getElementById("panel");
      if (!fresh || fresh.hidden) return;  // not answered: still offline
      if (ringing()) return;  // an offline order was begun meanwhile: it is finished offline first
      offline = false;
      delete document.body.dataset.tillOffline;
      order = null;
      const mine = document.getElementById("offline-panel");
      if (mine) mine.remove();
      filterItems("");
      renderBanner();
    } catch (e) {
      /* still offline */
    } finally {
      returning = false;
      if (offline) {  // still offline: only the offline panel shows, whatever was swapped in meanwhile
        const server = document.getElementById("panel");
        if (server) server.hidden = true;
      }
    }
  }
  function hideNetBanner() {
    const banner = document.getElementById("net-banner");
    if (banner && offline) banner.hidden = true;
  }

  // --- the offline order panel -----------------------------------------------------------------
  function itemOf(code) {
    if (!snap || !code) return null;
    const wanted = String(code).toUpperCase();
    return snap.items.find(i => i.code === wanted) || null;
  }
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    Object.entries(props || {}).forEach(([name, value]) => {
      if (value === false || value === null || value === undefined) return;
      if (name === "text") node.textContent = value;
      else if (name === "className") node.className = value;
      else if (name in node && typeof value !== "string") node[name] = value;
      else node.setAttribute(name, value === true ? "" : value);
    });
    children.flat().forEach(child => { if (child !== null && child !== undefined) node.append(child); });
    return node;
  }
  function buildPanel() {
    if (document.getElementById("offline-panel")) return;
    const cardBox = el("label", {className: "field", id: "offline-card-field"},
      el("span", {id: "offline-card-label", text: "Card"}),
      el("input", {id: "offline-card", inputmode: "decimal", autocomplete: "off"}));
    // as the server's panel: the order scrolls on its own, its total and Pay stay in view below it
    const section = el("section", {className: "order offline-panel", id: "offline-panel", "aria-labelledby": "offline-heading"},
      el("div", {className: "order-scroll"},
        el("h2", {id: "offline-heading", text: "Offline order"}),
        el("p", {className: "flash", id: "offline-note"}),
        el("p", {className: "muted", id: "offline-limits", text: "Parking needs the server. The kitchen gets no ticket while offline: tell them."}),
        el("div", {id: "offline-last", role: "status"}),
        el("p", {className: "error", id: "offline-error", role: "alert", hidden: true}),
        el("div", {id: "offline-choose"}),
        el("table", {className: "lines"}, el("tbody", {id: "offline-lines"})),
        el("fieldset", {className: "pay"},
          el("legend", {text: "Pay"}),
          el("label", {className: "field"}, el("span", {text: "Cash handed over"}),
            el("input", {id: "offline-cash", inputmode: "decimal", autocomplete: "off"})),
          el("div", {className: "quick"}, el("button", {type: "button", className: "small", id: "offline-exact", text: "Exact"})),
          cardBox,
          el("p", {className: "muted", id: "offline-no-card", text: "Card can't be taken offline — cash only"}),
          el("p", {id: "offline-due", "aria-live": "polite"}))),
      el("div", {className: "order-foot"},
        el("p", {className: "total"}, "Total ", el("strong", {id: "offline-total"})),
        el("button", {type: "button", className: "primary big", id: "offline-pay", disabled: true, text: "Pay"})));
    const panel = document.getElementById("panel");
    if (panel) panel.after(section); else till.append(section);
    section.addEventListener("input", event => {
      if (event.target.id === "offline-cash" || event.target.id === "offline-card") renderPay();
      const line = event.target.closest("[data-line]");
      if (line && event.target.name === "note") {
        order.lines[Number(line.dataset.line)].note = event.target.value.slice(0, 500);
        saveCurrent();
      }
    });
    section.addEventListener("click", onPanelClick);
    section.addEventListener("keydown", event => {
      if (event.key === "Enter" && event.target.matches("input")) event.preventDefault();  // only Pay pays
    });
  }
  function onPanelClick(event) {
    const button = event.target.closest("button");
    if (!button || !order) return;
    const line = button.closest("[data-line]");
    const n = line ? Number(line.dataset.line) : -1;
    if (button.dataset.act === "more") order.lines[n].qty = Math.min(order.lines[n].qty + 1, 999);
    else if (button.dataset.act === "fewer") order.lines[n].qty = Math.max(order.lines[n].qty - 1, 1);
    else if (button.dataset.act === "remove") order.lines.splice(n, 1);
    else if (button.id === "offline-exact") { document.getElementById("offline-cash").value = plain(total()); }
    else if (button.id === "offline-all-card") {
      document.getElementById("offline-card").value = plain(total());
      document.getElementById("offline-cash").value = "";
    }
    else if (button.id === "offline-choose-add") { addChosen(); return; }
    else if (button.id === "offline-choose-cancel") { choosing = null; render(); return; }
    else if (button.id === "offline-pay") { pay(); return; }
    else return;
    lastPaid = null;
    render();
  }
  function total() {
    return order ? order.lines.reduce((sum, line) => sum + line.unit * line.qty, 0) : 0;
  }
  function sameChoice(a, b) {
    return a.length === b.length && a.every((m, i) => m.code === b[i].code);
  }
  // One unit as the server charges it now (its snapshot's unit_price: a reduce-to-clear markdown taken
  // off, as the item's button shows it); a snapshot kept before it had one has the menu price.
  function unitNow(item) {
    return Number.isSafeInteger(item.unit_price) ? item.unit_price : item.price;
  }
  function addLine(item, mods) {
    const unit = unitNow(item) + mods.reduce((sum, m) => sum + m.price_delta, 0);
    const same = order.lines.find(l => l.code === item.code && !l.note && sameChoice(l.mods, mods));
    if (same) same.qty = Math.min(same.qty + 1, 999);
    else order.lines.push({code: item.code, name: item.name, unit, mods, qty: 1, note: ""});
  }
  function tap(code) {
    if (!order) return;
    lastPaid = null;
    const item = itemOf(code);
    if (!snap) { showError("This till has no menu kept for offline use: open it once while the server can be reached."); return; }
    if (!item) { showError("That item was not on the menu this till last saw: it can't be sold offline."); return; }
    if (item.groups.length) { choosing = {item}; render(); return; }
    addLine(item, []);
    render();
  }
  function rule(group) {
    if (group.min_choices === group.max_choices) return `choose ${group.min_choices}`;
    if (group.min_choices === 0) return `up to ${group.max_choices}`;
    return `${group.min_choices} to ${group.max_choices}`;
  }
  function renderChooser() {
    const box = document.getElementById("offline-choose");
    box.replaceChildren();
    if (!choosing) return;
    const item = choosing.item;
    const sets = item.groups.map((group, g) => {
      const single = group.min_choices === 1 && group.max_choices === 1;
      return el("fieldset", {className: "choices"},
        el("legend", {text: `${group.name} (${rule(group)})`}),
        group.options.map(option => el("label", {},
          el("input", {type: single ? "radio" : "checkbox", name: `offline-group-${g}`, value: option.code}),
          ` ${option.name}${option.price_delta ? ` (${option.price_delta > 0 ? "+" : "−"}${money(Math.abs(option.price_delta))})` : ""}`)));
    });
    box.append(el("fieldset", {className: "choices offline-choices"},
      el("legend", {text: item.name}), sets,
      el("p", {className: "error", id: "offline-choose-error", role: "alert", hidden: true}),
      el("button", {type: "button", className: "primary", id: "offline-choose-add", text: `Add ${item.name}`}),
      el("button", {type: "button", id: "offline-choose-cancel", text: "Cancel"})));
  }
  function addChosen() {
    const item = choosing.item;
    const chosen = [];
    for (let g = 0; g < item.groups.length; g++) {
      const group = item.groups[g];
      const picked = Array.from(document.querySelectorAll(`#offline-choose input[name="offline-group-${g}"]:checked`))
        .map(box => group.options.find(o => o.code === box.value)).filter(Boolean);
      if (picked.length < group.min_choices) {
        return chooserError(`${item.name} needs ${group.min_choices === 1 ? "a choice" : group.min_choices + " choices"} of ${group.name}`);
      }
      if (picked.length > group.max_choices) return chooserError(`${item.name}: at most ${group.max_choices} of ${group.name}`);
      chosen.push(...picked);
    }
    if (unitNow(item) + chosen.reduce((sum, m) => sum + m.price_delta, 0) < 0) {
      return chooserError(`${item.name} with those choices would cost less than nothing`);
    }
    choosing = null;
    addLine(item, chosen);
    render();
  }
  function chooserError(text) {
    const p = document.getElementById("offline-choose-error");
    p.textContent = text;
    p.hidden = false;
  }
  function showError(text) {
    const p = document.getElementById("offline-error");
    if (!p) return;
    p.textContent = text;
    p.hidden = !text;
  }
  function renderLines() {
    const body = document.getElementById("offline-lines");
    body.replaceChildren(...order.lines.map((line, n) => el("tr", {"data-line": String(n), "data-code": line.code},
      el("td", {className: "name"}, line.name,
        line.mods.length ? el("br") : null,
        line.mods.length ? el("small", {className: "mods", text: line.mods.map(m => m.name).join(", ")}) : null),
      el("td", {className: "qty"},
        el("button", {type: "button", className: "small", "data-act": "fewer", "aria-label": `one fewer ${line.name}`, text: "−"}),
        el("output", {text: String(line.qty), "aria-label": `quantity of ${line.name}`}),
        el("button", {type: "button", className: "small", "data-act": "more", "aria-label": `one more ${line.name}`, text: "+"})),
      el("td", {}, el("input", {name: "note", value: line.note, placeholder: "note", "aria-label": `note for ${line.name}`})),
      el("td", {className: "amount", text: money(line.unit * line.qty)}),
      el("td", {}, el("button", {type: "button", className: "small", "data-act": "remove", "aria-label": `remove ${line.name}`, text: "×"})))));
    if (!order.lines.length) {
      body.append(el("tr", {}, el("td", {className: "muted empty", text: snap ? "Tap an item." : "No menu kept on this till yet."})));
    }
  }
  // What the payment boxes say: cash and card as typed, and whether the order can be paid so.
  function payment() {
    const due = total();
    if (due === 0) return {change: 0, cash: 0, card: 0, ok: true};  // a staff meal: nothing to pay
    const cash = parseMoney(document.getElementById("offline-cash").value);
    const cardBox = document.getElementById("offline-card");
    const limit = snap ? snap.offline_card_limit : null;
    const card = limit === null ? 0 : parseMoney(cardBox.value);
    if (cash === null) return {error: "The cash amount is not an amount (like 50 or 20.50)."};
    if (card === null) return {error: "The card amount is not an amount (like 18.00)."};
    if (card > due) return {error: "The card can pay at most the total."};
    if (card > limit) return {error: `Card can't be taken offline above ${money(limit)} an order: take the rest in cash.`};
    if (card === due && cash > 0) return {error: "The card pays it all: clear the cash box."};
    if (cash + card < due) return {due: due - cash - card, cash, card};
    return {change: cash + card - due, cash, card, ok: true};
  }
  function renderPay() {
    const limit = snap ? snap.offline_card_limit : null;
    document.getElementById("offline-card-field").hidden = limit === null;
    document.getElementById("offline-no-card").hidden = limit !== null;
    if (limit !== null) document.getElementById("offline-card-label").textContent = `Card (up to ${money(limit)} an order offline)`;
    let allCard = document.getElementById("offline-all-card");
    const fits = limit !== null && total() > 0 && total() <= limit;
    if (fits && !allCard) {
      allCard = el("button", {type: "button", className: "small", id: "offline-all-card"});
      document.getElementById("offline-card-field").after(allCard);
    }
    if (allCard) {
      allCard.hidden = !fits;
      allCard.textContent = `All by card (${money(total())})`;
    }
    const state = payment();
    const due = document.getElementById("offline-due");
    const payButton = document.getElementById("offline-pay");
    const empty = !order.lines.length;
    if (state.error) { due.textContent = state.error; due.className = "error"; }
    else if (empty) { due.textContent = ""; due.className = ""; }
    else if (state.ok) { due.textContent = `Change to give: ${money(state.change)}`; due.className = ""; }
    else { due.textContent = `Still to pay: ${money(state.due)}`; due.className = "muted"; }
    payButton.disabled = empty || !state.ok || !snap;
    payButton.textContent = empty ? "Pay" : `Pay ${money(total())}`;
  }
  function renderNote() {
    const note = document.getElementById("offline-note");
    if (!note) return;
    note.textContent = snap
      ? `Offline — prices as last seen at ${snap.issued_local}; the server checks each order when it is back.`
      : "Offline — this till has no menu kept for offline use: it must be opened once while the server can be reached.";
  }
  function renderPanel() {
    if (!offline || !order) return;
    saveCurrent();
    buildPanel();
    renderNote();
    const last = document.getElementById("offline-last");
    last.replaceChildren();
    if (lastPaid && lastPaid.number) {
      last.append(el("p", {className: "change", id: "offline-kept"},
        `Order ${lastPaid.number} kept on this till — change `, el("strong", {id: "offline-change", text: money(lastPaid.change)})),
        el("p", {className: "muted", text: "It is sent to the server, and numbered, when the connection is back."}));
    } else if (lastPaid && lastPaid.note) {
      last.append(el("p", {className: "flash", text: lastPaid.note}));
    }
    renderChooser();
    renderLines();
    document.getElementById("offline-total").textContent = money(total());
    renderPay();
  }
  async function pay() {
    const state = payment();
    if (!state.ok || !order.lines.length || !snap) return;
    const due = total();
    const payments = [];
    if (state.card > 0) payments.push({method: "card", amount: plain(state.card)});
    if (state.cash > 0 && due > 0) payments.push({method: "cash", amount: plain(state.cash)});
    const key = order.key || newKey();
    const rungAt = localInstant(new Date());
    const button = document.getElementById("offline-pay");
    button.disabled = true;
    let kept;
    try {
      // Kept before the screen says paid: a tablet that dies now still has the order.
      kept = await keep((number, seq, device) => ({
        key, seq, local_number: number, state: "waiting", message: null, rung_at: rungAt,
        body: JSON.stringify({
          lines: order.lines.map(line => ({
            code: line.code, quantity: String(line.qty), note: line.note,
            modifiers: line.mods.map(m => m.code), unit_price: plain(line.unit),
          })),
          payments,
          total: plain(due),
          rung_at: rungAt,
          local_number: number,
          till: tillName() || `web till ${device}`,
          rung_by: snap.user,
          note: "",
        }),
      }));
    } catch (e) {
      showError("This order could not be kept on this device (its storage is full or blocked): take it on paper.");
      button.disabled = false;
      return;
    }
    lastPaid = {number: kept.local_number, change: state.change};
    order = {key: null, lines: []};
    document.getElementById("offline-cash").value = "";
    document.getElementById("offline-card").value = "";
    showError("");
    await loadQueue();
    render();
    const search = document.getElementById("search");
    if (search) { search.value = ""; filterItems(""); search.focus(); }
    send();
  }

  // --- the banner: how many orders wait to be sent, each with its state -------------------------
  function answered(entry) {
    const a = entry.answer;
    if (a.state === "recorded" || a.state === "accepted") {
      return `recorded as order #${a.order_id}${a.call_number ? ` (number ${a.call_number})` : ""}`;
    }
    if (a.state === "waiting") return "needs a manager's decision";
    if (a.state === "refunded") return "refunded by a manager";
    return a.state || "sent";
  }
  function sentState(entry) {
    // as the banner's list marks it: recorded, or "decision" (waiting for a manager), or as decided
    const state = entry.answer.state || "sent";
    return state === "waiting" ? "decision" : state === "accepted" ? "recorded" : state;
  }
  function renderBanner() {
    const banner = document.getElementById("offline-banner");
    if (!banner) return;
    const waiting = pending();
    const refused = queue.filter(r => r.state === "refused");
    const show = offline || waiting.length || refused.length || sent.length;
    banner.hidden = !show;
    if (!show) { banner.replaceChildren(); return; }
    const n = waiting.length;
    const orders = `${n} order${n === 1 ? "" : "s"}`;
    let head;
    const back = offline && reachable;  // the server answers again, while the offline panel still shows
    if (loginNeeded && n) head = el("strong", {}, el("a", {href: "/login", text: `Log in to send ${n} waiting order${n === 1 ? "" : "s"}`}));
    else if (tokenStale && n) head = el("strong", {text: `Reload the till to send ${orders} waiting`});
    else if (offline && !returning && !back) head = el("strong", {text: `Offline — ${orders} waiting to be sent`});
    else if (back && !n) head = el("strong", {text: "Back online"});
    else head = el("strong", {text: n ? `Back online — ${orders} waiting to be sent` : "Orders rung offline"});
    const finish = back && ringing()
      ? el("p", {id: "offline-finish", text: "The connection is back: finish this order here, at the prices shown; it is sent as soon as it is paid, then the till sells online again."})
      : null;
    const items = [
      ...queue.map(r => el("li", {"data-number": r.local_number, "data-state": r.state},
        `${r.local_number} — `, r.state === "refused" ? `refused: ${r.message}` : r.state,
        r.state === "refused" ? el("button", {type: "button", className: "small", "data-resend": r.key, text: "Send again"}) : null)),
      ...sent.map(entry => el("li", {"data-number": entry.local_number, "data-state": sentState(entry)},
        `${entry.local_number} — ${answered(entry)}`,
        entry.answer.state === "waiting" ? el("a", {href: "/till/offline", text: " (decide)"}) : null)),
    ];
    const close = !offline && !n && !refused.length
      ? el("button", {type: "button", className: "small", id: "offline-banner-close", text: "Hide"}) : null;
    banner.replaceChildren(...[head, finish, el("ul", {}, items), close].filter(Boolean));  // (null would read "null")
  }
  function render() {
    renderBanner();
    renderPanel();
    hideNetBanner();
  }
  document.addEventListener("click", async event => {
    const again = event.target.closest("#offline-banner button[data-resend]");
    if (again) {
      const record = queue.find(r => r.key === again.dataset.resend);
      if (record) { record.state = "waiting"; record.message = null; await saveRecord(record); send(); }
      return;
    }
    if (event.target.closest("#offline-banner-close")) { sent.length = 0; renderBanner(); }
  });

  // --- while offline: item taps come here, the server's requests are not made ---------------------
  document.addEventListener("click", event => {
    if (!offline) return;
    const item = event.target.closest("#items button.item");
    if (!item) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    tap(item.dataset.code || item.value);
  }, true);
  function filterItems(text) {
    const wanted = text.trim().toLowerCase();
    document.querySelectorAll("#items button.item").forEach(button => {
      const code = (button.dataset.code || "").toLowerCase();
      button.hidden = Boolean(wanted) && !button.textContent.toLowerCase().includes(wanted) && !code.startsWith(wanted);
    });
  }
  document.addEventListener("input", event => {
    if (offline && event.target.id === "search") filterItems(event.target.value);
  }, true);
  document.body.addEventListener("htmx:beforeRequest", event => {
    if (!offline || letThrough) return;
    event.preventDefault();  // it could not reach the server anyway; the offline panel sells instead
    const config = event.detail.requestConfig || {};
    const path = config.path || "";
    let scanned = false;
    try { scanned = Boolean(config.parameters && config.parameters.scan); } catch (e) { scanned = false; }
    if (path.startsWith("/till/park")) showError("Parking needs the server: ring the order up and pay it offline.");
    else if (scanned) showError("Scanning needs the server: tap the item instead.");
  });
  const unreachable = () => goOffline();
  document.body.addEventListener("htmx:sendError", unreachable);
  document.body.addEventListener("htmx:timeout", unreachable);
  document.body.addEventListener("htmx:responseError", event => {
    if (event.detail.xhr && event.detail.xhr.status === 0) goOffline();
  });
  window.addEventListener("offline", unreachable);
  window.addEventListener("online", async () => {
    if (await probe()) {
      reachable = true;
      retryMs = FIRST_RETRY_MS;
      renderBanner();
      send();
    }
  });

  // The server, now and then: gone (offline panel), back (send, then the server's panel again).
  async function watch() {
    try { await loadQueue(); renderBanner(); } catch (e) { /* as it was */ }  // another tab may have rung some
    const up = navigator.onLine && (await probe());
    if (offline && up !== reachable) { reachable = up; renderBanner(); }
    if (!up) {
      goOffline();
    } else if (pending().length && !sending && failed !== "server") {
      clearTimeout(retryTimer);  // the server is back: no need to wait out the back-off
      retryTimer = null;
      retryMs = FIRST_RETRY_MS;
      send();
    } else if (offline && !pending().length) {
      maybeBackOnline();
    }
    setTimeout(watch, offline ? PROBE_OFFLINE_MS : PROBE_ONLINE_MS);
  }

  async function start() {
    try {
      snap = (await getMeta("snapshot")) || null;
      saved = (await getMeta("current")) || null;
      await loadQueue();
    } catch (e) {
      snap = null;  // no IndexedDB (a private window): online selling works as before
    }
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/till-sw.js", {scope: "/till"}).catch(() => {});
    }
    started = true;
    if (fromCache || !navigator.onLine || offlineAsked) {
      goOffline();  // the page came from this device's copy: sell offline until the server answers
    } else {
      refreshSnapshot();
      // an order begun offline and not yet paid when the page was closed: finished as it was rung
      if (saved && Array.isArray(saved.lines) && saved.lines.length) goOffline(true);
    }
    setInterval(() => { if (!offline) refreshSnapshot(); }, SNAPSHOT_EVERY_MS);
    render();
    if (pending().length) send();
    setTimeout(watch, offline ? PROBE_OFFLINE_MS : PROBE_ONLINE_MS);
  }
  start();
})();
