/*
 * opscenter shell behaviour. Loaded on every page after htmx (both from our own static files;
 * ECharts is loaded on demand, see charts below). The Content-Security-Policy forbids inline scripts and inline styles, so everything a
 * page needs from JavaScript is declared with data-* attributes and wired up here.
 *
 *   <meta name="csrf-token">     sent as X-CSRFToken on every non-GET htmx request
 *   [data-nav-toggle]            opens/closes the navigation on narrow screens
 *   form[data-confirm]           asks before submitting (e.g. revoking a token)
 *   [data-copy-target="#id"]     copies the text of #id to the clipboard
 *   div[data-chart-url]          an ECharts chart whose option is fetched as JSON (see below)
 */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  /* --- htmx: CSRF header ------------------------------------------------------------------ */
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.verb !== "get") {
      event.detail.headers["X-CSRFToken"] = csrfToken();
    }
  });

  /* --- navigation on tablets --------------------------------------------------------------- */
  function setNavOpen(open) {
    document.body.classList.toggle("nav-open", open);
    document.querySelectorAll("[data-nav-toggle]").forEach(function (button) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-nav-toggle]");
    if (toggle) {
      setNavOpen(!document.body.classList.contains("nav-open"));
      return;
    }
    if (document.body.classList.contains("nav-open") && !event.target.closest("#site-nav")) {
      setNavOpen(false);
    }
    var copy = event.target.closest("[data-copy-target]");
    if (copy) {
      var source = document.querySelector(copy.getAttribute("data-copy-target"));
      if (source && navigator.clipboard) {
        navigator.clipboard.writeText(source.textContent.trim()).then(function () {
          copy.textContent = copy.getAttribute("data-copied-label") || copy.textContent;
        });
      }
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      setNavOpen(false);
      document.querySelectorAll("details.user-menu[open]").forEach(function (menu) {
        menu.removeAttribute("open");
      });
    }
  });

  /* Close the user menu when clicking elsewhere. */
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.user-menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) {
        menu.removeAttribute("open");
      }
    });
  });

  /* --- confirmation before destructive submits --------------------------------------------- */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  /* --- lists: print button, "select all" for bulk actions ----------------------------------
   * <button data-print>            prints the page (the list's print view)
   * <input type=checkbox data-check-all> in a table header ticks every row box of that table
   * <select data-bulk-action>      shows only the form rows [data-bulk] of the chosen action
   */
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (button) {
      window.print();
    }
  });
  function showBulkFields(select) {
    var form = select.closest("form");
    if (!form) {
      return;
    }
    form.querySelectorAll("[data-bulk]").forEach(function (row) {
      row.hidden = row.getAttribute("data-bulk") !== select.value;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-bulk-action]")) {
      showBulkFields(event.target);
    }
  });
  function initBulk(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("select[data-bulk-action]").forEach(showBulkFields);
  }
  document.addEventListener("DOMContentLoaded", function () {
    initBulk(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    initBulk(event.target);
  });
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[data-check-all]")) {
      return;
    }
    var table = box.closest("table");
    if (table) {
      table.querySelectorAll("tbody input[type=checkbox][name]").forEach(function (row) {
        row.checked = box.checked;
      });
    }
  });

  /* --- charts -------------------------------------------------------------------------------
   * <div class="chart" data-chart-url="/some/view.json"
   *      data-chart-loading="加载中…" data-chart-error="图表加载失败"></div>
   *
   * The URL answers with an ECharts option object (built server-side by a selector). Data items
   * may carry a same-site "url": clicking the bar/point/slice opens the rows behind the number.
   * Tooltips render as rich text on the canvas: ECharts' HTML tooltips carry inline style="" which
   * the CSP would block.
   */
  var FONT_FAMILY =
    '-apple-system, BlinkMacSystemFont, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", ' +
    '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Helvetica Neue", Arial, sans-serif';
  var PALETTE = ["#1f6feb", "#2da44e", "#d4a72c", "#cf222e", "#8250df", "#1b7c83", "#bc4c00", "#57606a"];

  function isSameSitePath(url) {
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" && url.charAt(1) !== "\\";
  }

  function withDefaults(option) {
    option.color = option.color || PALETTE;
    option.textStyle = Object.assign({ fontFamily: FONT_FAMILY }, option.textStyle || {});
    var tooltips = Array.isArray(option.tooltip) ? option.tooltip : option.tooltip ? [option.tooltip] : [];
    tooltips.forEach(function (tooltip) {
      tooltip.renderMode = "richText";
    });
    if (option.legend && !Array.isArray(option.legend) && option.legend.tooltip) {
      option.legend.tooltip.renderMode = "richText";
    }
    option.aria = Object.assign({ enabled: true }, option.aria || {});
    return option;
  }

  function showChartError(element, chart) {
    chart.dispose();
    element.classList.add("chart--error");
    element.textContent = element.getAttribute("data-chart-error") || "图表加载失败";
  }

  function renderChart(element) {
    if (element.getAttribute("data-chart-state") || typeof window.echarts === "undefined") {
      return null;
    }
    element.setAttribute("data-chart-state", "loading");
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.showLoading("default", {
      text: element.getAttribute("data-chart-loading") || "",
      color: PALETTE[0],
      textColor: "#57606a",
      maskColor: "rgba(255, 255, 255, 0.8)",
    });
    chart.on("click", function (params) {
      var url = params.data && params.data.url;
      if (isSameSitePath(url)) {
        window.location.assign(url);
      }
    });
    if (typeof ResizeObserver !== "undefined") {
      var observer = new ResizeObserver(function () {
        if (!chart.isDisposed()) {
          chart.resize();
        }
      });
      observer.observe(element);
      element._opscenterChartObserver = observer;
    }
    fetch(element.getAttribute("data-chart-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (option) {
        if (chart.isDisposed()) {
          return;
        }
        chart.hideLoading();
        // "ready" once drawn, animation included (tests and screenshots wait for it).
        chart.on("finished", function markReady() {
          chart.off("finished", markReady);
          element.setAttribute("data-chart-state", "ready");
        });
        chart.setOption(withDefaults(option));
      })
      .catch(function (error) {
        if (!chart.isDisposed()) {
          showChartError(element, chart);
        }
        element.setAttribute("data-chart-state", "error");
        if (window.console) {
          window.console.warn("chart", element.getAttribute("data-chart-url"), error.message);
        }
      });
    return chart;
  }

  /* ECharts is large: it is fetched (from our static files, path in <meta name="echarts-src">)
   * only once a page actually holds a chart. */
  var echartsLoading = null;

  function loadEcharts() {
    if (typeof window.echarts !== "undefined") {
      return Promise.resolve(window.echarts);
    }
    if (!echartsLoading) {
      echartsLoading = new Promise(function (resolve, reject) {
        var meta = document.querySelector('meta[name="echarts-src"]');
        if (!meta) {
          reject(new Error("meta echarts-src missing"));
          return;
        }
        var script = document.createElement("script");
        script.src = meta.getAttribute("content");
        script.onload = function () {
          resolve(window.echarts);
        };
        script.onerror = function () {
          echartsLoading = null;
          reject(new Error("could not load ECharts"));
        };
        document.head.appendChild(script);
      });
    }
    return echartsLoading;
  }

  function renderCharts(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var elements = Array.prototype.slice.call(scope.querySelectorAll("[data-chart-url]"));
    if (scope.matches && scope.matches("[data-chart-url]")) {
      elements.unshift(scope);
    }
    if (!elements.length) {
      return;
    }
    loadEcharts().then(
      function () {
        elements.forEach(renderChart);
      },
      function (error) {
        elements.forEach(function (element) {
          element.classList.add("chart--error");
          element.textContent = element.getAttribute("data-chart-error") || "图表加载失败";
        });
        if (window.console) {
          window.console.warn("chart", error.message);
        }
      }
    );
  }

  function disposeCharts(root) {
    if (typeof window.echarts === "undefined" || !root.querySelectorAll) {
      return;
    }
    var elements = Array.prototype.slice.call(root.querySelectorAll("[data-chart-state]"));
    if (root.hasAttribute && root.hasAttribute("data-chart-state")) {
      elements.push(root);
    }
    elements.forEach(function (element) {
      var chart = window.echarts.getInstanceByDom(element);
      if (chart) {
        chart.dispose();
      }
      if (element._opscenterChartObserver) {
        element._opscenterChartObserver.disconnect();
      }
    });
  }

  window.opscenter = window.opscenter || {};
  window.opscenter.charts = { render: renderChart, renderAll: renderCharts };

  if (window.htmx) {
    // Fires for the initial page and for every piece of content htmx swaps in.
    window.htmx.onLoad(renderCharts);
    document.addEventListener("htmx:beforeCleanupElement", function (event) {
      disposeCharts(event.target);
    });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      renderCharts(document);
    });
  } else {
    renderCharts(document);
  }
})();
