// Every page: say so when the server can't be reached or fails, instead of doing nothing.
(function () {
  "use strict";
  function banner() { return document.getElementById("net-banner"); }
  function show(text) {
    const b = banner();
    if (!b) return;
    b.textContent = text;
    b.hidden = false;
  }
  function hide() { const b = banner(); if (b) b.hidden = true; }
  function paying(event) {
    const path = event.detail && event.detail.pathInfo && event.detail.pathInfo.requestPath;
    return path === "/till/pay";
  }
  function unreachable(event) {
    if (document.body.dataset.tillOffline) return;  // the till sells offline and says so itself
    show(paying(event)
      ? "No connection to the server: the payment was not confirmed. Check the network, then press Pay again — the same order is never charged twice."
      : "No connection to the server: that was not saved. Check the network and try again.");
  }
  document.addEventListener("htmx:sendError", unreachable);
  document.addEventListener("htmx:timeout", unreachable);
  document.addEventListener("htmx:responseError", event => {
    const status = event.detail.xhr ? event.detail.xhr.status : "?";
    show(paying(event)
      ? `The server could not take the payment (error ${status}). Press Pay again — the same order is never charged twice.`
      : `The server could not do that (error ${status}). Try again, or reload the page.`);
  });
  document.addEventListener("htmx:afterRequest", event => { if (event.detail.successful) hide(); });
  // A Print button prints the page; the print style sheet leaves just the receipt.
  document.addEventListener("click", event => {
    const button = event.target.closest("button[data-print]");
    if (!button) return;
    const details = button.closest("details");
    if (details) details.open = true;
    window.print();
  });
  window.addEventListener("offline", () => show("This device is offline: nothing can be sent until the network is back."));
  window.addEventListener("online", hide);
})();

// Every page: a form that came back with an error shows it. If nothing was given the cursor, the
// first box in error gets it (and is scrolled to), so a long form's error is never below the fold.
(function () {
  "use strict";
  function focusError() {
    const chosen = document.querySelector("[autofocus]");
    if (chosen) {  // the page chose where the cursor goes; a box in error given back full is selected,
      // so what is typed (the date printed on a pack) replaces what was offered, not lost past its end
      if (chosen.closest(".has-error") && chosen.value && chosen.select) {
        chosen.focus();
        chosen.select();
      }
      return;
    }
    if (document.activeElement && document.activeElement !== document.body) return;
    const box = document.querySelector(".has-error input, .has-error select, .has-error textarea");
    if (box) {
      box.focus();
      box.scrollIntoView({ block: "center" });
      return;
    }
    const alert = document.querySelector("main .error[role=alert]");
    if (alert) alert.scrollIntoView({ block: "center" });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", focusError);
  else focusError();
})();

// Every page: a form posted the ordinary way (not by htmx) is sent once, however fast it is pressed
// twice. The server already makes a second press harmless (each form's key); this keeps the answer
// to the first press on the screen (a pickup code, a new order) instead of the second's "already
// done". After a few seconds, or back on the page, it can be sent again (a retry after a network
// failure).
(function () {
  "use strict";
  document.addEventListener("submit", event => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || (form.method || "").toLowerCase() !== "post") return;
    if ([...form.attributes].some(a => a.name.startsWith("hx-") || a.name.startsWith("data-hx-"))) return;
    if (form.dataset.sending) {
      event.preventDefault();
      return;
    }
    form.dataset.sending = "1";
    setTimeout(() => { delete form.dataset.sending; }, 5000);
  });
  window.addEventListener("pageshow", () => {
    document.querySelectorAll("form[data-sending]").forEach(f => { delete f.dataset.sending; });
  });
})();

// A page with a scan box (receiving at the door): a scanner that starts typing before the page has
// put the cursor in the box loses nothing: keys typed while nothing has the cursor go to the box.
document.addEventListener("keydown", event => {
  const scan = document.getElementById("scan");
  const idle = !document.activeElement || document.activeElement === document.body;
  if (!scan || !idle || event.ctrlKey || event.metaKey || event.altKey || event.key.length !== 1) return;
  event.preventDefault();
  scan.focus();
  scan.value += event.key;
});
