/* Appraisal screens: the running total under each allocation table (the server checks the sums). */
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".alloc-table").forEach(function (table) {
    var out = table.querySelector(".alloc-sum");
    function sum() {
      var fen = 0;
      table.querySelectorAll(".alloc-input").forEach(function (i) {
        fen += Math.round(parseFloat((i.value || "0").replace(/,/g, "")) * 100) || 0;
      });
      var total = parseInt(table.dataset.total, 10);
      out.textContent = (fen / 100).toFixed(2) + (fen === total ? " ✓" : " ≠ " + (total / 100).toFixed(2));
      out.classList.toggle("alloc-off", fen !== total);
    }
    table.addEventListener("input", sum);
    sum();
  });
});
