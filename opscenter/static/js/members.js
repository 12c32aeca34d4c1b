// Member screens: clicking a number in the transition matrix filters the movers list to that
// from → to pair (clicking it again shows everyone). No inline scripts (CSP).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    const link = event.target.closest("a[data-filter-from]");
    if (!link) return;
    const table = document.getElementById("movers-table");
    if (!table) return;
    const from = link.dataset.filterFrom;
    const to = link.dataset.filterTo;
    const active = table.dataset.filter === from + "→" + to;
    table.dataset.filter = active ? "" : from + "→" + to;
    table.querySelectorAll("tbody tr[data-from]").forEach(function (row) {
      const match = row.dataset.from === from && row.dataset.to === to;
      row.classList.toggle("is-hidden", !active && !match);
    });
  });
})();
