/*
 * Customer pipeline screens. The CSP allows no inline script, so behaviour is wired here from
 * data-* attributes and ids the templates render.
 *
 *   #customer-table[data-export-url]   after htmx re-renders the list, the "导出 Excel" link
 *                                      (#export-link) follows the filters on screen
 *   form .has-error                    after a form comes back with errors, focus the first
 *                                      invalid field (tablets: the keyboard opens right there)
 *   #funnel-filters                    keeps the month range valid (from ≤ to) before it submits
 */
(function () {
  "use strict";

  function syncExportLink() {
    var table = document.getElementById("customer-table");
    var link = document.getElementById("export-link");
    if (table && link && table.getAttribute("data-export-url")) {
      link.setAttribute("href", table.getAttribute("data-export-url"));
    }
  }

  function focusFirstError(root) {
    if (!root.querySelector) {
      return;
    }
    var row = root.querySelector(".has-error");
    if (!row) {
      return;
    }
    var field = row.querySelector("input:not([type=hidden]), select, textarea");
    if (field) {
      field.focus({ preventScroll: true });
    }
    row.scrollIntoView({ block: "center", behavior: "smooth" });
  }

  function keepMonthRange(event) {
    var form = event.target.closest && event.target.closest("#funnel-filters");
    if (!form) {
      return;
    }
    var from = form.querySelector("#month_from");
    var to = form.querySelector("#month_to");
    if (from && to && from.value && to.value && from.value > to.value) {
      if (event.target === from) {
        to.value = from.value;
      } else {
        from.value = to.value;
      }
    }
  }

  document.addEventListener("change", keepMonthRange, true);

  document.addEventListener("htmx:afterSettle", function () {
    syncExportLink();
    var form = document.querySelector("form.entry-card");
    if (form) {
      focusFirstError(form);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.entry-card");
    if (form) {
      focusFirstError(form);
    }
  });
})();
