// The report designer: drag a field from the list to Dimensions, Measures or Filters (SortableJS), reorder
// dimensions and measures by drag, and apply a card's settings. Every change is ONE request; the server answers the
// re-rendered designer (#design-canvas) with the live preview. Buttons on each field and card do the same without a
// mouse (they are plain form submits), so this script only adds dragging and the settings' Apply buttons.
"use strict";

(() => {
  const designer = document.getElementById("designer");
  if (!designer || !designer.classList.contains("report-designer")) return;
  const base = designer.dataset.base;

  function post(op) {
    const form = document.getElementById("canvas-op");
    form.querySelector("input[name=op]").value = JSON.stringify(op);
    htmx.trigger(form, "submit");
  }

  // What a field dropped on a zone becomes: a date grouped by month, a number summed, anything else counted
  // distinct, and a filter that the field has a value (its condition is then chosen on the card).
  const added = {
    dimensions: (path, kind) => ({ op: "report_add_dimension", dimension: kind === "date" ? { field: path, bucket: "month" } : { field: path } }),
    measures: (path, kind) => ({ op: "report_add_measure", measure: { aggregate: kind === "number" ? "sum" : "distinct", field: path } }),
    filters: (path) => ({ op: "report_add_filter", filter: { field: path, op: "not_empty" } }),
  };
  const moved = { dimensions: "report_move_dimension", measures: "report_move_measure" };

  // As the form designer: the fallback drag (works with touch and pointer alike), a short press on touch screens.
  const common = { forceFallback: true, fallbackOnBody: true, delay: 150, delayOnTouchOnly: true };

  function setUp(root) {
    if (!window.Sortable) return;
    root.querySelectorAll("[data-drop=fields]").forEach((list) => {
      window.Sortable.create(list, {
        group: { name: "report", pull: "clone", put: false }, sort: false, draggable: ".rd-field", ...common,
        filter: "button", preventOnFilter: false,
      });
    });
    root.querySelectorAll(".rd-drop").forEach((zone) => {
      const name = zone.dataset.drop;
      window.Sortable.create(zone, {
        group: { name: "report", pull: false, put: true }, sort: name in moved, draggable: "li", ...common,
        filter: "button, input, select, summary, label, .rd-settings-form", preventOnFilter: false,
        onAdd: (event) => {
          const item = event.item;
          const op = added[name](item.dataset.path, item.dataset.kind);
          if (op.dimension || op.measure || op.filter) {
            if (name === "dimensions" || name === "measures") op.at = event.newIndex;
          }
          item.remove();
          post(op);
        },
        onUpdate: (event) => {
          if (event.oldIndex !== event.newIndex) post({ op: moved[name], index: event.oldIndex, to: event.newIndex });
        },
      });
    });
  }

  function apply(button) {
    const box = button.closest(".rd-settings-form");
    const values = { index: box.dataset.index };
    if (box.dataset.settings) values.what = box.dataset.settings;
    box.querySelectorAll("input, select, textarea").forEach((el) => {
      if (!el.name || (el.type === "checkbox" && !el.checked)) return;
      const taken = el.multiple ? Array.from(el.selectedOptions, (o) => o.value) : [el.value];
      values[el.name] = el.name in values ? [].concat(values[el.name], taken) : (el.multiple ? taken : el.value);
    });
    const url = base + (box.hasAttribute("data-filter") ? "/filter" : "/settings");
    htmx.ajax("POST", url, { target: "#design-canvas", swap: "outerHTML", values });
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-apply]");
    if (button && designer.contains(button)) apply(button);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.target.tagName !== "INPUT") return;
    const box = event.target.closest(".rd-settings-form[data-index]");
    if (!box) return;
    event.preventDefault();
    apply(box.querySelector("[data-apply]"));
  });
  document.addEventListener("htmx:load", (event) => {
    if (event.target.id === "design-canvas") setUp(event.target);
  });
  document.body.addEventListener("htmx:responseError", (event) => {
    const line = document.getElementById("canvas-message");
    if (line && event.detail.xhr.status === 0) line.textContent = designer.dataset.networkError;
  });
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.target.id === "design-dialog-body") {
      const dialog = document.getElementById("design-dialog");
      if (!dialog.open) dialog.showModal();
    }
  });
  const start = () => setUp(document.getElementById("design-canvas"));
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
