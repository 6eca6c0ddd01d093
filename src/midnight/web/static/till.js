// The till page. It only copies amounts the server wrote into the page and tells a scan from typing:
// every price, total and tender comes from the server. (No inline script: the page's CSP forbids it.)
(function () {
  "use strict";
  const SCAN_GAP_MS = 60; // a scanner types a whole code faster than this between keys; a person can't
  const SCAN_MIN = 6;     // shortest code taken as a scan (EAN-8 has 8, a menu code typed is not a scan)
  let burst = "", last = 0, field = null, before = null;

  function scan(code) {
    // queued behind any tap still on its way (the form itself would cut in, as Pay does)
    htmx.ajax("POST", "/till/order", {source: "#scan-source", values: {scan: code}, target: "#panel", swap: "outerHTML"});
  }

  // A scanner is a keyboard: digits very fast, then Enter. Whatever has focus (the cash box too), a
  // scan adds the item and leaves that box as it was; its Enter never pays.
  document.addEventListener("keydown", event => {
    // when the key arrived, not when this busy page got round to it: a tablet still drawing the last
    // order handles a scan's keys late, and bunched, but their time stamps keep the scanner's pace
    const now = event.timeStamp;
    if (/^[0-9]$/.test(event.key) && !event.ctrlKey && !event.metaKey && !event.altKey) {
      if (now - last > SCAN_GAP_MS) {
        burst = "";
        field = document.activeElement;
        before = field && "value" in field ? field.value : null;
      }
      burst += event.key;
      last = now;
      return;
    }
    if (event.key === "Enter") {
      if (burst.length >= SCAN_MIN && now - last <= SCAN_GAP_MS * 2) {
        event.preventDefault();
        event.stopPropagation();
        if (field && before !== null && field.value !== before) {
          field.value = before;
          if (field.id === "search") htmx.trigger(field, "search");
        }
        const code = burst;
        burst = "";
        scan(code);
        return;
      }
      // A code typed by hand into the search box, then Enter, adds it as a scan would.
      if (event.target.id === "search" && /^[0-9]{6,14}$/.test(event.target.value.trim())) {
        event.preventDefault();
        const code = event.target.value.trim();
        event.target.value = "";
        htmx.trigger(event.target, "search");
        scan(code);
        return;
      }
      // Enter in the search box with exactly one item found adds it.
      if (event.target.id === "search") {
        const found = document.querySelectorAll("#items button.item");
        if (found.length === 1) { event.preventDefault(); found[0].click(); return; }
      }
      // Enter in a box of the order (cash, card, a quantity) never pays: only the Pay button does.
      if (event.target.closest && event.target.closest("#order") && event.target.matches("input")) {
        event.preventDefault();
        if (event.target.matches("[hx-post]")) htmx.trigger(event.target, "change");
      }
    }
    burst = "";
  }, true);

  document.addEventListener("click", event => {
    const target = event.target.closest("button");
    if (!target) return;
    if (target.dataset.cash !== undefined) {
      document.getElementById("cash").value = target.dataset.cash;
    } else if (target.dataset.card !== undefined) {
      document.getElementById("card").value = target.dataset.card;
      document.getElementById("cash").value = "";
      const other = document.getElementById("other");
      if (other) other.value = "";
    } else if (target.dataset.restCard !== undefined) {
      document.getElementById("card").value = target.dataset.restCard;  // the server's sum, copied
    } else if (target.dataset.tender !== undefined) {
      document.getElementById("tender").value = target.dataset.tender;
      document.getElementById("other").value = target.dataset.other;
      document.getElementById("cash").value = "";
      document.getElementById("card").value = "";
    }
  });

  // What was typed while the server was re-pricing the order is kept, unless the order was just paid:
  // every box typed in after the request left (the server answered only for what it carried) gets its
  // text back in the new panel, the box being typed in gets the cursor back, and the server is asked
  // again with what it has not seen. A line's boxes are matched by row, so only while no row went.
  let typed = null, retrigger = null;
  document.body.addEventListener("htmx:afterSettle", () => {
    const box = retrigger;
    retrigger = null;
    // in the next task: htmx frees the till's request queue only after this swap has settled, and a
    // request made before that would wait behind it
    if (box) setTimeout(() => { if (document.body.contains(box)) htmx.trigger(box, "change"); }, 0);
  });
  const BOXES = "#panel input:not([type=hidden])";
  function boxKey(box) {
    const same = Array.from(document.querySelectorAll(`#panel input[name="${CSS.escape(box.name)}"]`));
    return box.name + "#" + same.indexOf(box);
  }
  function boxesNow() {
    const values = {};
    document.querySelectorAll(BOXES).forEach(box => { if (box.name) values[boxKey(box)] = box.value; });
    return values;
  }
  const rows = () => document.querySelectorAll("#lines tr").length;
  // a fold (Park it, a discount) opened or closed while the request was out stays as the person left it
  const foldKey = fold => fold.className + "#" + Array.from(document.querySelectorAll("#panel details"))
    .filter(other => other.className === fold.className).indexOf(fold);
  const folds = () => {
    const open = {};
    document.querySelectorAll("#panel details").forEach(fold => { open[foldKey(fold)] = fold.open; });
    return open;
  };
  let sent = {}, sentFolds = {};
  document.body.addEventListener("htmx:beforeRequest", event => {
    if (event.detail.target && event.detail.target.id === "panel") { sent = boxesNow(); sentFolds = folds(); }
  });
  document.body.addEventListener("htmx:beforeSwap", event => {
    if (!event.detail.target || event.detail.target.id !== "panel") return;
    typed = {boxes: {}, focus: null, rows: rows(), folds: {}};
    Object.entries(folds()).forEach(([key, open]) => { if (open !== (sentFolds[key] ?? false)) typed.folds[key] = open; });
    Object.entries(boxesNow()).forEach(([key, value]) => {
      if (value !== (sent[key] ?? "")) typed.boxes[key] = value;
    });
    const active = document.activeElement;
    if (active && active.closest && active.closest("#panel") && active.matches("input:not([type=hidden])")) {
      typed.focus = {key: boxKey(active), caret: active.selectionStart};
    }
  });
  document.body.addEventListener("htmx:afterSwap", event => {
    if (!typed || !event.detail.target || event.detail.target.id !== "panel") return;
    if (!document.querySelector("#panel .last-sale")) {
      const rowsKept = rows() >= typed.rows;
      document.querySelectorAll("#panel details").forEach(fold => {
        const key = foldKey(fold);
        if (key in typed.folds) fold.open = typed.folds[key];
      });
      document.querySelectorAll(BOXES).forEach(box => {
        const key = boxKey(box);
        if (!(key in typed.boxes) || (box.closest("#lines") && !rowsKept)) return;
        if (box.value !== typed.boxes[key]) {
          box.value = typed.boxes[key];
          if (box.matches("[hx-post]")) retrigger = box;
        }
      });
      const box = typed.focus && Array.from(document.querySelectorAll(BOXES)).find(b => boxKey(b) === typed.focus.key);
      if (box && !(box.closest("#lines") && !rowsKept)) {
        box.focus();
        try { box.setSelectionRange(typed.focus.caret, typed.focus.caret); } catch (e) { /* not a text box */ }
      }
    }
    typed = null;
  });

  // A tap queued behind a request that then redrew the panel (the line's ×, a box's change) belongs to
  // a button or box that is gone: htmx (2.0) drops it but leaves the requests queued after it waiting
  // until some later request ends. So once a request ends, whatever is still queued goes on.
  document.body.addEventListener("htmx:afterRequest", () => {
    setTimeout(() => {
      const till = document.getElementById("till");
      const state = till && till["htmx-internal-data"];
      while (state && !state.xhr && state.queuedRequests && state.queuedRequests.length) {
        state.queuedRequests.shift()();
      }
    }, 0);
  });

  // The quick sheet (an item's modifiers, the parked orders) is a dialog the server fills in.
  const sheet = () => document.getElementById("sheet");
  document.body.addEventListener("htmx:afterSwap", event => {
    const target = event.detail.target;
    if (target && target.id === "sheet-body") {
      const dialog = sheet();
      if (dialog && !dialog.open) dialog.showModal();
      // the group the server said is missing a choice, else the first choice
      const first = target.querySelector(".has-error input")
        || target.querySelector("input:checked") || target.querySelector("input:not([type=hidden]), button");
      if (first) first.focus();
    } else if (target && target.id === "panel") {
      const dialog = sheet();
      if (dialog && dialog.open) dialog.close();
    }
  });
  document.addEventListener("click", event => {
    const closer = event.target.closest("[data-close-sheet]");
    if (closer && !closer.matches("[hx-post]")) { const dialog = sheet(); if (dialog) dialog.close(); }
  });
  document.addEventListener("close", event => {
    if (event.target.id === "sheet") document.getElementById("sheet-body").innerHTML = "";
  }, true);

  // A line added is shown: the order's own scroller brings the newest line into view (just enough,
  // above the total and Pay, which are never over it).
  let linesBefore = 0;
  document.body.addEventListener("htmx:beforeSwap", event => {
    if (event.detail.target && event.detail.target.id === "panel") linesBefore = document.querySelectorAll("#lines tr").length;
  });
  document.body.addEventListener("htmx:afterSwap", event => {
    if (!event.detail.target || event.detail.target.id !== "panel") return;
    const rows = document.querySelectorAll("#lines tr");
    if (rows.length > linesBefore) rows[rows.length - 1].scrollIntoView({block: "nearest"});
  });

  // After paying, the next customer's first tap or scan is all that's needed: focus goes to the search
  // box (a scanner works anywhere), and the change stays announced in the panel.
  document.body.addEventListener("htmx:afterSwap", event => {
    if (event.detail.target && event.detail.target.id === "panel") {
      const panel = document.getElementById("panel");
      if (panel && panel.querySelector(".last-sale")) {
        // the next customer starts from the whole menu
        const search = document.getElementById("search");
        if (search.value) { search.value = ""; htmx.trigger(search, "search"); }
        search.focus();
      }
    }
  });
})();
