// The PIN keypad: a tap on a key adds its digit to the PIN box (or deletes the last one), and digits
// typed on a keyboard go there too, without the box having to be tapped first (so a tablet's own
// keyboard need not open over the keypad). The PIN is only ever in the box, shown as dots.
(function () {
  "use strict";
  const box = document.getElementById("pin");
  const form = document.getElementById("pin-form");
  if (!box || !form) return;
  const most = Number(box.getAttribute("maxlength")) || 8;

  function press(key) {
    if (key === "back") box.value = box.value.slice(0, -1);
    else if (/^[0-9]$/.test(key) && box.value.length < most) box.value += key;
  }

  form.addEventListener("click", event => {
    const key = event.target.closest("button[data-key]");
    if (!key) return;
    event.preventDefault();
    press(key.dataset.key);
  });

  document.addEventListener("keydown", event => {
    if (event.target === box || event.ctrlKey || event.metaKey || event.altKey) return;
    if (/^[0-9]$/.test(event.key)) { event.preventDefault(); press(event.key); }
    else if (event.key === "Backspace") { event.preventDefault(); press("back"); }
    else if (event.key === "Enter" && box.value) { event.preventDefault(); form.requestSubmit(); }
  });

  // One press of OK sends the PIN once (a second would count as another try); back on the page, again.
  const ok = document.getElementById("pin-ok");
  form.addEventListener("submit", () => { if (ok) setTimeout(() => { ok.disabled = true; }, 0); });
  window.addEventListener("pageshow", () => { if (ok) ok.disabled = false; box.value = ""; });
})();
