// The dashboard designer's grid: drag a box to move it in the order boxes flow (SortableJS), drag its lower-right
// corner to resize it on the 12-column grid, ← → to move it a column. Every change is ONE operation posted to the
// server, which answers the re-rendered designer. The ↑ ↓ and size buttons on each box are plain form submits.
"use strict";

(() => {
  const designer = document.getElementById("designer");
  if (!designer || !designer.classList.contains("dashboard-designer")) return;
  const COLUMNS = 12;

  function post(op) {
    const form = document.getElementById("canvas-op");
    form.querySelector("input[name=op]").value = JSON.stringify(op);
    htmx.trigger(form, "submit");
  }

  const grid = () => document.querySelector("#design-canvas .db-grid");

  function metrics() {
    const el = grid();
    const style = getComputedStyle(el);
    const gap = parseFloat(style.columnGap) || 16;
    const rowGap = parseFloat(style.rowGap) || gap;
    const row = parseFloat(style.gridAutoRows) || 90;
    const width = el.getBoundingClientRect().width;
    return { gap, rowGap, row, column: (width - gap * (COLUMNS - 1)) / COLUMNS, left: el.getBoundingClientRect().left };
  }

  const oneColumn = () => getComputedStyle(grid()).gridTemplateColumns.split(" ").length < 2;

  // The column a box starts at, as drawn.
  function columnOf(box) {
    const m = metrics();
    return Math.max(0, Math.round((box.getBoundingClientRect().left - m.left) / (m.column + m.gap)));
  }

  function setSize(box, w, h) {
    box.className = box.className.replace(/\bg[wh]-\d+\b/g, "").trim() + ` gw-${w} gh-${h}`;
  }

  function resize(handle, down) {
    const box = handle.closest(".db-item");
    if (oneColumn()) return; // a phone: sizes by the buttons
    down.preventDefault();
    handle.setPointerCapture(down.pointerId);
    const m = metrics();
    const start = box.getBoundingClientRect();
    const x = box.dataset.x === "" ? columnOf(box) : Number(box.dataset.x);
    let w = Number(box.dataset.w), h = Number(box.dataset.h);
    box.classList.add("db-ghost");
    const move = (event) => {
      w = Math.min(COLUMNS - x, Math.max(1, Math.round((event.clientX - start.left + m.gap) / (m.column + m.gap))));
      h = Math.min(20, Math.max(1, Math.round((event.clientY - start.top + m.rowGap) / (m.row + m.rowGap))));
      setSize(box, w, h);
    };
    const up = () => {
      handle.removeEventListener("pointermove", move);
      handle.removeEventListener("pointerup", up);
      handle.removeEventListener("pointercancel", up);
      box.classList.remove("db-ghost");
      if (w !== Number(box.dataset.w) || h !== Number(box.dataset.h)) {
        post({ op: "dashboard_place_item", index: Number(box.dataset.index), w, h });
      }
    };
    handle.addEventListener("pointermove", move);
    handle.addEventListener("pointerup", up);
    handle.addEventListener("pointercancel", up);
  }

  function nudge(button) {
    const box = button.closest(".db-item");
    const w = Number(box.dataset.w);
    const x = Math.min(COLUMNS - w, Math.max(0, (box.dataset.x === "" ? columnOf(box) : Number(box.dataset.x)) + Number(button.dataset.nudge)));
    post({ op: "dashboard_place_item", index: Number(box.dataset.index), x });
  }

  // As the form designer: the fallback drag (works with touch and pointer alike), a short press on touch screens.
  const common = { forceFallback: true, fallbackOnBody: true, delay: 150, delayOnTouchOnly: true };

  function setUp(root) {
    const el = root.querySelector(".db-grid");
    if (!el || !window.Sortable) return;
    window.Sortable.create(el, {
      draggable: ".db-item", handle: ".db-head", ghostClass: "dragging", animation: 120, ...common,
      filter: "button, .db-resize, details, input, textarea, select, label", preventOnFilter: false,
      onUpdate: (event) => {
        if (event.oldIndex !== event.newIndex) post({ op: "dashboard_move_item", index: event.oldIndex, to: event.newIndex });
      },
    });
  }

  document.addEventListener("pointerdown", (event) => {
    const handle = event.target.closest("[data-resize]");
    if (handle && designer.contains(handle)) resize(handle, event);
  });
  // A text block is edited in its box (inside the grid's form): its Save posts the box's fields as one request.
  function apply(box) {
    const values = { what: box.dataset.settings, index: box.dataset.index };
    box.querySelectorAll("input, select, textarea").forEach((el) => { if (el.name) values[el.name] = el.value; });
    htmx.ajax("POST", designer.dataset.base + "/settings", { target: "#design-canvas", swap: "outerHTML", values });
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-nudge]");
    if (button && designer.contains(button)) nudge(button);
    const save = event.target.closest("[data-apply]");
    if (save && designer.contains(save)) apply(save.closest(".rd-settings-form"));
  });
  document.addEventListener("keydown", (event) => {
    const box = event.key === "Enter" && event.target.tagName === "INPUT" ? event.target.closest(".rd-settings-form") : null;
    if (!box || !designer.contains(box)) return;
    event.preventDefault();
    apply(box);
  });
  document.addEventListener("htmx:load", (event) => {
    if (event.target.id === "design-canvas") setUp(event.target);
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
