// Column widths of a record list: drag a header's right edge (or focus it and press ← / →) to resize a column. On
// release the list reloads with every column's width in the URL (`w=name:180,grade:96`), so paging, sorting,
// filtering and "save as a view" keep them; the server bounds each width and writes it on the table's <col>s, and
// this script applies them (the CSP forbids style attributes in the page).
"use strict";

const MIN_WIDTH = 48;
const MAX_WIDTH = 1200;
const KEY_STEP = 16;

// A table the server laid out by kept widths: each <col data-width> gets its width, the table their sum.
function applyWidths(root) {
  root.querySelectorAll("table.records.sized[data-table-width]").forEach((table) => {
    table.querySelectorAll("col[data-width]").forEach((col) => { col.style.width = col.dataset.width + "px"; });
    table.style.width = "calc(2.6em + " + table.dataset.tableWidth + "px)";
  });
}
document.addEventListener("DOMContentLoaded", () => applyWidths(document));
document.addEventListener("htmx:afterSwap", () => applyWidths(document));

function dataHeaders(table) {
  return Array.from(table.querySelectorAll("thead th")).filter((th) => th.querySelector("[data-col-resize]"));
}

// Fix every column at its current width so that resizing one leaves the others where they are.
function freeze(table) {
  const heads = dataHeaders(table);
  const widths = heads.map((th) => Math.round(th.getBoundingClientRect().width));
  const pick = table.querySelector("thead th.pick");
  const cols = table.querySelectorAll("colgroup col:not(.pick)");
  heads.forEach((th, i) => {
    th.style.width = widths[i] + "px";
    if (cols[i]) cols[i].style.width = widths[i] + "px";
  });
  table.style.tableLayout = "fixed";
  return { heads, widths, cols, pick: pick ? pick.getBoundingClientRect().width : 0 };
}

function setWidth(table, frozen, index, px) {
  const width = Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, Math.round(px)));
  frozen.widths[index] = width;
  frozen.heads[index].style.width = width + "px";
  if (frozen.cols[index]) frozen.cols[index].style.width = width + "px";
  table.style.width = (frozen.pick + frozen.widths.reduce((a, b) => a + b, 0)) + "px";
}

// Reload the list with the new widths (the server answers the list fragment and puts the URL in the history).
function commit(table, frozen) {
  const param = frozen.heads.map((th, i) => th.querySelector("[data-col-resize]").dataset.colResize + ":" + frozen.widths[i]).join(",");
  if (param === table.dataset.colWidths) return;
  const base = table.dataset.resizeUrl;
  const url = base + (base.includes("?") ? "&" : "?") + "w=" + encodeURIComponent(param).replace(/%3A/g, ":").replace(/%2C/g, ",");
  table.dataset.colWidths = param;
  window.htmx.ajax("GET", url, { target: "#listing", swap: "outerHTML" });
}

document.addEventListener("pointerdown", (event) => {
  const handle = event.target instanceof Element ? event.target.closest("[data-col-resize]") : null;
  if (!handle || event.button !== 0) return;
  event.preventDefault();
  const table = handle.closest("table");
  const frozen = freeze(table);
  const index = frozen.heads.indexOf(handle.closest("th"));
  const startX = event.clientX;
  const startWidth = frozen.widths[index];
  handle.setPointerCapture(event.pointerId);
  handle.classList.add("active");
  const move = (e) => setWidth(table, frozen, index, startWidth + e.clientX - startX);
  const stop = () => {
    handle.removeEventListener("pointermove", move);
    handle.removeEventListener("pointerup", stop);
    handle.removeEventListener("pointercancel", stop);
    handle.classList.remove("active");
    commit(table, frozen);
  };
  handle.addEventListener("pointermove", move);
  handle.addEventListener("pointerup", stop);
  handle.addEventListener("pointercancel", stop);
});

document.addEventListener("keydown", (event) => {
  const handle = event.target instanceof Element ? event.target.closest("[data-col-resize]") : null;
  if (!handle || (event.key !== "ArrowLeft" && event.key !== "ArrowRight")) return;
  event.preventDefault();
  const table = handle.closest("table");
  const frozen = freeze(table);
  const index = frozen.heads.indexOf(handle.closest("th"));
  setWidth(table, frozen, index, frozen.widths[index] + (event.key === "ArrowRight" ? KEY_STEP : -KEY_STEP));
  commit(table, frozen);
});

// A click on the edge is not a click on the header (it must not sort the list).
document.addEventListener("click", (event) => {
  if (event.target instanceof Element && event.target.closest("[data-col-resize]")) event.preventDefault();
});
