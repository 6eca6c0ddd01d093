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
