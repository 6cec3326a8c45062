// Report and dashboard pages (templates/reports/*.html). charts.js sends `chart:select` with the clicked row's
// member keys (and measure): in a chart that filters others on a dashboard (data-link-source) a click sets the
// linkage and reloads the grid (htmx); Ctrl/⌘-click there, and any click elsewhere, drills down to the list
// of records behind the number (the server answers with the list page's URL). The ✕ of the "filtered by" chip
// clears the linkage; a custom date range shows its from/to inputs.
"use strict";

(() => {
  function filters() {
    return document.getElementById("board-filters");
  }

  function reload(form) {
    if (window.htmx) window.htmx.trigger(form, "submit");
    else form.submit();
  }

  function drill(item, detail) {
    const url = new URL(item.dataset.drill, window.location.href);
    url.searchParams.set("keys", JSON.stringify(detail.keys || {}));
    if (detail.measure) url.searchParams.set("measure", detail.measure);
    window.location.assign(url.href);
  }

  document.addEventListener("chart:select", (event) => {
    const item = event.target.closest && event.target.closest("[data-drill]");
    if (!item) return;
    const detail = event.detail || {};
    const form = filters();
    if (item.dataset.linkSource && form && !detail.modifier) {
      form.elements["link-from"].value = item.dataset.report;
      form.elements["link-keys"].value = JSON.stringify(detail.keys || {});
      reload(form);
      return;
    }
    drill(item, detail);
  });

  document.addEventListener("click", (event) => {
    const clear = event.target.closest && event.target.closest(".chip-clear");
    const form = filters();
    if (!clear || !form) return;
    event.preventDefault();
    form.elements["link-from"].value = "";
    form.elements["link-keys"].value = "";
    reload(form);
  });

  function showCustom(root) {
    root.querySelectorAll("[data-range]").forEach((box) => {
      const custom = box.querySelector(".range-custom");
      if (custom) custom.hidden = box.querySelector("select").value !== "custom";
    });
  }

  document.addEventListener("change", (event) => {
    const box = event.target.closest && event.target.closest("[data-range]");
    if (box) showCustom(box.parentNode);
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => showCustom(document));
  else showCustom(document);
})();
