// The till page: lines, quantities and the payment boxes. (No inline script: the page's CSP forbids it.)
(function () {
  const settings = document.getElementById("till-settings").dataset;
  const digits = Number(settings.digits);
  const money = new Intl.NumberFormat(settings.locale, {style: "currency", currency: settings.currency});
  function fmt(minor) { return (minor / Math.pow(10, digits)).toFixed(digits); }
  function tillTotal() {
    let total = 0;
    document.querySelectorAll("#lines tr").forEach(tr => {
      total += Number(tr.dataset.price) * Number(tr.querySelector("input[name=qty]").value || 0);
    });
    document.getElementById("total").textContent = money.format(total / Math.pow(10, digits));
    return total;
  }
  function tillAdd(button) {
    const code = button.dataset.code;
    let row = document.querySelector(`#lines tr[data-code="${CSS.escape(code)}"]`);
    if (row) { const q = row.querySelector("input[name=qty]"); q.value = Number(q.value) + 1; tillTotal(); return; }
    row = document.createElement("tr");
    row.dataset.code = code; row.dataset.price = button.dataset.price;
    row.innerHTML = `<td class="name"></td>
      <td><input type="hidden" name="code"><input name="qty" type="number" min="1" value="1" aria-label="quantity"></td>
      <td><input name="note" placeholder="note" aria-label="note"></td>
      <td><button type="button" class="small" aria-label="remove" data-remove>×</button></td>`;
    row.querySelector(".name").textContent = button.dataset.name;
    row.querySelector("input[name=code]").value = code;
    document.getElementById("lines").appendChild(row);
    tillTotal();
  }
  document.addEventListener("click", event => {
    const target = event.target.closest("button");
    if (!target) return;
    if (target.matches("button.item[data-code]")) tillAdd(target);
    else if (target.dataset.cash) document.getElementById("cash").value = target.dataset.cash;
    else if (target.hasAttribute("data-exact")) document.getElementById("cash").value = fmt(tillTotal());
    else if (target.hasAttribute("data-all-card")) {
      document.getElementById("card").value = fmt(tillTotal());
      document.getElementById("cash").value = "";
    } else if (target.hasAttribute("data-remove")) { target.closest("tr").remove(); tillTotal(); }
    else if (target.hasAttribute("data-print")) window.print();
  });
  document.addEventListener("input", event => {
    if (event.target.matches("#lines input[name=qty]")) tillTotal();
  });
})();
