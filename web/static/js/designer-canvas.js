// The form designer's canvas: drag and drop (SortableJS), click to add, keyboard moves, selection, undo/redo keys.
// Every change is ONE operation posted to the server (#canvas-op); the server answers the re-rendered canvas.
// The layout is read back from the DOM: containers carry data-drop, items data-kind, boxes their title in data-title.
"use strict";

(() => {
  const designer = document.getElementById("designer");
  if (!designer) return;
  const MAX_ROW = 4;
  const base = designer.dataset.base;
  let selected = null; // the id of the selected field, kept across re-renders
  const activeTabs = {}; // strip index → the tab shown

  // -- reading the layout from the DOM ---------------------------------------------------------------------
  const kids = (el) => Array.from(el.children);
  const itemsOf = (box) => box.querySelector(":scope > .canvas-items");
  const idOf = (el) => (el.dataset.kind === "new" ? "__new__" : el.dataset.field);

  function readRow(row) {
    return kids(row.querySelector(":scope > .canvas-cells")).filter((c) => c.dataset.kind).map(idOf);
  }

  function readItems(container) {
    const out = [];
    kids(container).forEach((el) => {
      const kind = el.dataset.kind;
      if (kind === "row") {
        const ids = readRow(el);
        if (ids.length) out.push(ids);
      } else if (kind === "card" || kind === "new") {
        out.push([idOf(el)]); // dropped between rows: a row of its own
      } else if (kind === "section") {
        out.push({ section: JSON.parse(el.dataset.title), rows: readItems(itemsOf(el)) });
      } else if (kind === "tabs") {
        el.querySelectorAll(":scope > .canvas-tab").forEach((tab) => {
          out.push({ tab: JSON.parse(tab.dataset.title), layout: readItems(itemsOf(tab)) });
        });
      }
    });
    return out;
  }

  const canvas = () => document.getElementById("design-canvas");
  const body = () => canvas().querySelector(".canvas-body > .canvas-items");
  const layout = () => readItems(body());

  // -- posting one operation -------------------------------------------------------------------------------
  function say(text) {
    const line = document.getElementById("canvas-message");
    if (line) line.textContent = text;
  }

  const busy = () => designer.classList.contains("busy");

  function post(op) {
    if (busy()) return;
    const form = document.getElementById("canvas-op");
    form.querySelector("input[name=op]").value = JSON.stringify(op);
    htmx.trigger(form, "submit");
  }

  const setLayout = () => post({ op: "set_layout", layout: layout() });

  function addField(type, where) {
    const op = { op: "add_field", field: { type } };
    if (where) op.layout = where;
    post(op);
  }

  // -- drag and drop ---------------------------------------------------------------------------------------
  const ACCEPTS = { // a container → the kinds of things it takes
    cells: ["card", "new"],
    body: ["card", "new", "row", "section", "tabs"],
    tab: ["card", "new", "row", "section"],
    section: ["card", "new", "row"],
    unplaced: ["card"],
  };

  function accepts(to, dragged) {
    const drop = to.dataset.drop;
    if (!(ACCEPTS[drop] || []).includes(dragged.dataset.kind)) return false;
    if (drop !== "cells") return true;
    return kids(to).filter((c) => c !== dragged && c.dataset.kind).length < MAX_ROW;
  }

  function dropped(event) {
    const item = event.item;
    if (event.to.dataset.drop === "palette") return; // put back where it was
    if (item.dataset.kind === "new") {
      const type = item.dataset.type;
      const where = event.to.dataset.drop === "unplaced" ? null : layout();
      item.remove();
      addField(type, where);
      return;
    }
    if (event.from === event.to && event.oldIndex === event.newIndex) return;
    setLayout();
  }

  const common = {
    animation: 120, forceFallback: true, fallbackOnBody: true, swapThreshold: 0.65, delay: 150,
    delayOnTouchOnly: true, ghostClass: "drag-ghost", filter: ".card-tools, .box-rename, .box-head .tool",
    preventOnFilter: false, onEnd: dropped,
  };

  function sortable(el, options) {
    if (el.dataset.sortable) return;
    el.dataset.sortable = "1";
    window.Sortable.create(el, { ...common, ...options });
  }

  function startCanvas(root) {
    if (!window.Sortable) return;
    const group = (pull) => ({ name: "canvas", pull, put: (to, from, dragged) => accepts(to.el, dragged) });
    root.querySelectorAll("[data-drop=palette]").forEach((el) => sortable(el, {
      group: { name: "canvas", pull: "clone", put: false }, sort: false, draggable: ".palette-item",
    }));
    root.querySelectorAll("[data-drop=cells]").forEach((el) => sortable(el, {
      group: group(true), draggable: "[data-kind]",
    }));
    root.querySelectorAll("[data-drop=body], [data-drop=section], [data-drop=tab]").forEach((el) => sortable(el, {
      group: group(true), draggable: "[data-kind]", handle: ".drag-handle",
    }));
    root.querySelectorAll("[data-drop=unplaced]").forEach((el) => sortable(el, {
      group: group(true), sort: false, draggable: "[data-kind]",
    }));
  }

  // -- keyboard moves (the same changes a drag makes) ------------------------------------------------------
  function newRow(...cards) {
    const row = document.createElement("div");
    row.dataset.kind = "row";
    const cells = document.createElement("div");
    cells.className = "canvas-cells";
    row.appendChild(cells);
    cards.forEach((c) => cells.appendChild(c));
    return row;
  }

  function moveCard(card, direction) {
    const cells = card.parentElement;
    const row = cells.parentElement;
    const sibling = direction < 0 ? card.previousElementSibling : card.nextElementSibling;
    if (sibling) {
      cells.insertBefore(card, direction < 0 ? sibling : sibling.nextElementSibling);
    } else if (kids(cells).length > 1) {
      row.parentElement.insertBefore(newRow(card), direction < 0 ? row : row.nextElementSibling);
    } else {
      const other = direction < 0 ? row.previousElementSibling : row.nextElementSibling;
      if (!other) return false;
      row.parentElement.insertBefore(row, direction < 0 ? other : other.nextElementSibling);
    }
    return true;
  }

  function intoPreviousRow(card) {
    const row = card.parentElement.parentElement;
    const previous = row.previousElementSibling;
    if (!previous || previous.dataset.kind !== "row") return false;
    const cells = previous.querySelector(":scope > .canvas-cells");
    if (kids(cells).length >= MAX_ROW) {
      say(designer.dataset.rowFull);
      return false;
    }
    cells.appendChild(card);
    return true;
  }

  function moveTo(card, path) {
    if (path === "-") {
      card.remove();
      return true;
    }
    const box = canvas().querySelector(`[data-box="${CSS.escape(path)}"]`);
    if (!box) return false;
    itemsOf(box).appendChild(newRow(card));
    return true;
  }

  function moveBox(box, direction) {
    const other = direction < 0 ? box.previousElementSibling : box.nextElementSibling;
    if (!other || !other.dataset.kind) return false;
    box.parentElement.insertBefore(box, direction < 0 ? other : other.nextElementSibling);
    return true;
  }

  function removeBox(box) {
    if (!window.confirm(designer.dataset.removeBoxConfirm)) return false;
    const strip = box.closest("[data-kind=tabs]");
    box.remove();
    if (strip && !strip.querySelector(".canvas-tab")) strip.remove();
    return true;
  }

  function renameBox(box) {
    const head = box.querySelector(":scope > .box-head");
    const title = {};
    head.querySelectorAll("input").forEach((input) => { if (input.value.trim()) title[input.name] = input.value.trim(); });
    if (!Object.keys(title).length) return false;
    box.dataset.title = JSON.stringify(title);
    return true;
  }

  function addBox(kind) {
    const title = designer.dataset[kind === "tab" ? "newTab" : "newSection"];
    const box = document.createElement("div");
    box.dataset.kind = kind;
    box.dataset.title = title;
    const items = document.createElement("div");
    items.className = "canvas-items";
    box.appendChild(items);
    if (kind === "section") {
      body().appendChild(box);
      return;
    }
    box.className = "canvas-tab";
    const last = body().lastElementChild;
    if (last && last.dataset.kind === "tabs") {
      last.appendChild(box);
      activeTabs[kids(body()).indexOf(last)] = last.querySelectorAll(".canvas-tab").length - 1;
    } else {
      const strip = document.createElement("div");
      strip.dataset.kind = "tabs";
      strip.appendChild(box);
      body().appendChild(strip);
    }
  }

  // -- selection -------------------------------------------------------------------------------------------
  function select(card, focus) {
    canvas().querySelectorAll(".canvas-card.selected").forEach((c) => c.classList.remove("selected"));
    if (!card) return;
    card.classList.add("selected");
    if (focus) card.focus();
    if (selected === card.dataset.field && !focus) return;
    selected = card.dataset.field;
    htmx.ajax("GET", `${base}/fields/${encodeURIComponent(selected)}`, { target: "#design-props", swap: "innerHTML" });
  }

  function reselect() {
    if (!selected) return;
    const card = canvas().querySelector(`.canvas-card[data-field="${CSS.escape(selected)}"]`);
    if (card) {
      card.classList.add("selected");
      if (designer.dataset.keepFocus) card.focus();
    } else {
      selected = null;
      const empty = document.getElementById("props-empty-state");
      document.getElementById("design-props").replaceChildren(empty.content.cloneNode(true));
    }
    delete designer.dataset.keepFocus;
  }

  // -- tabs ------------------------------------------------------------------------------------------------
  function showTab(strip, index) {
    strip.querySelectorAll(":scope > .canvas-tablist > [role=tab]").forEach((b, i) => {
      b.setAttribute("aria-selected", String(i === index));
    });
    strip.querySelectorAll(":scope > .canvas-tab").forEach((panel, i) => { panel.hidden = i !== index; });
    activeTabs[kids(body()).indexOf(strip)] = index;
  }

  function restoreTabs() {
    kids(body()).forEach((el, i) => {
      if (el.dataset.kind === "tabs" && activeTabs[i] !== undefined) {
        showTab(el, Math.min(activeTabs[i], el.querySelectorAll(".canvas-tab").length - 1));
      }
    });
  }

  // -- events ----------------------------------------------------------------------------------------------
  const CARD_ACTS = {
    up: (card) => moveCard(card, -1),
    down: (card) => moveCard(card, 1),
    prev: intoPreviousRow,
  };
  const BOX_ACTS = { "box-up": (box) => moveBox(box, -1), "box-down": (box) => moveBox(box, 1), "remove-box": removeBox,
                     "rename-box": renameBox };

  designer.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const paletteItem = target.closest(".palette-item");
    if ((paletteItem || target.closest("button[data-act]")) && busy()) return; // the last change is on its way
    if (paletteItem) {
      addField(paletteItem.dataset.type, kids(body()).length ? [...layout(), ["__new__"]] : null);
      return;
    }
    const jump = target.closest("[data-select-field]");
    if (jump) {
      event.preventDefault();
      document.getElementById("design-dialog").close();
      const card = canvas().querySelector(`.canvas-card[data-field="${CSS.escape(jump.dataset.selectField)}"]`);
      if (card) select(card, true);
      return;
    }
    const tab = target.closest(".canvas-tablist > [role=tab]");
    if (tab) {
      showTab(tab.closest("[data-kind=tabs]"), Number(tab.dataset.tab));
      return;
    }
    const act = target.closest("button[data-act]");
    const card = target.closest(".canvas-card");
    if (act && act.dataset.act === "add-section") { addBox("section"); setLayout(); return; }
    if (act && act.dataset.act === "add-tab") { addBox("tab"); setLayout(); return; }
    if (act && card && act.dataset.act === "duplicate") { post({ op: "duplicate_field", id: card.dataset.field }); return; }
    if (act && card && act.dataset.act === "delete") { post({ op: "remove_field", id: card.dataset.field }); return; }
    if (act && card && CARD_ACTS[act.dataset.act]) {
      selected = card.dataset.field;
      designer.dataset.keepFocus = "1";
      if (CARD_ACTS[act.dataset.act](card)) setLayout();
      return;
    }
    if (act && BOX_ACTS[act.dataset.act]) {
      if (BOX_ACTS[act.dataset.act](act.closest(".canvas-box"))) setLayout();
      return;
    }
    if (card && !target.closest(".card-tools")) select(card, false);
  });

  designer.addEventListener("change", (event) => {
    const move = event.target instanceof HTMLSelectElement && event.target.dataset.act === "move" ? event.target : null;
    if (!move || !move.value || busy()) return;
    const card = move.closest(".canvas-card");
    selected = card.dataset.field;
    designer.dataset.keepFocus = "1";
    if (moveTo(card, move.value)) setLayout();
  });

  designer.addEventListener("keydown", (event) => {
    const card = event.target instanceof Element && event.target.classList.contains("canvas-card") ? event.target : null;
    if (card && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      select(card, true);
    }
  });

  // Ctrl+Z / Ctrl+Shift+Z (and Ctrl+Y) undo and redo the draft, except while typing in a field.
  document.addEventListener("keydown", (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    const key = event.key.toLowerCase();
    if (key !== "z" && key !== "y") return;
    const typing = event.target instanceof Element && event.target.closest("input, textarea, select, [contenteditable]");
    if (typing) return;
    const stepName = key === "y" || event.shiftKey ? "redo" : "undo";
    const button = document.querySelector(`#design-state [data-step=${stepName}]`);
    event.preventDefault();
    if (button && !button.disabled) htmx.trigger(button, "click");
  });

  // A refused operation answers 4xx with its message (retargeted to #canvas-message); the publish dialog
  // answers 409/422 with the plan and the reason. Both are shown, not dropped.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const status = event.detail.xhr.status;
    if (status >= 400 && status < 500 && designer.contains(event.detail.requestConfig.elt)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // One change at a time: the next one is read from the canvas the server answered for the last. A refused
  // change leaves the canvas as the drag left it, so it is fetched again (the message stays).
  document.addEventListener("htmx:beforeRequest", (event) => {
    const target = event.detail.target;
    if (!target || target.id !== "design-canvas") return;
    if (busy()) { event.preventDefault(); return; }
    designer.classList.add("busy");
    event.detail.xhr.designerChange = true;
  });
  // The canvas the server answered is ready for the next change once it has settled: htmx runs the new canvas's
  // load handlers (which make it draggable) a moment after the request ends, so a change that answers a canvas
  // stays busy until then; one that answers none (a refusal, a lost connection) is done when the request is.
  const answersCanvas = (xhr) => xhr.status >= 200 && xhr.status < 300 && xhr.status !== 204;
  document.addEventListener("htmx:afterRequest", (event) => {
    const xhr = event.detail.xhr;
    if (!xhr || !xhr.designerChange) return;
    if (!answersCanvas(xhr) || !event.detail.successful) designer.classList.remove("busy");
    if (xhr.status >= 400) htmx.ajax("GET", `${base}/canvas`, { target: "#design-canvas", swap: "outerHTML" });
  });
  document.addEventListener("htmx:afterSettle", (event) => {
    const xhr = event.detail.xhr;
    if (xhr && xhr.designerChange) designer.classList.remove("busy");
  });

  document.addEventListener("htmx:sendError", () => say(designer.dataset.networkError));

  document.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail.target;
    if (target && target.id === "design-dialog-body") {
      const dialog = document.getElementById("design-dialog");
      if (!dialog.open) dialog.showModal();
    }
  });

  htmx.onLoad((root) => {
    // The panel of a top-level field names the field selected: after its id was changed there, the canvas
    // drawn next still finds the card (by its new id) instead of closing the panel.
    const panel = root instanceof Element && root.matches("#design-props .props-panel[data-field]") ? root : null;
    if (panel && !panel.dataset.parent) selected = panel.dataset.field;
    const here = root.id === "design-canvas" ? root : root.querySelector && root.querySelector("#design-canvas");
    startCanvas(root);
    if (here) {
      restoreTabs();
      reselect();
    }
  });

  // On a phone the palette starts folded: a strip that opens on demand.
  if (window.matchMedia("(max-width: 760px)").matches) {
    designer.querySelector(".designer-palette").open = false;
  }
})();
