// Generated record forms: subform rows (add, remove, reorder) and the live preview's field states.
// The server does the computing: this file only keeps row numbers in order and applies what a preview said.
"use strict";

(() => {
  const ROW_INDEX = /(\d+|__row__)/.source;

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  // Rewrite every attribute that names row N of the subform (items[N].x, items-N-x, items%5BN%5D) to row `index`.
  function renumberRow(row, sub, index) {
    const name = escapeRegExp(sub);
    const patterns = [
      [new RegExp(`${name}\\[${ROW_INDEX}\\]`, "g"), `${sub}[${index}]`],
      [new RegExp(`${name}%5B${ROW_INDEX}%5D`, "g"), `${sub}%5B${index}%5D`],
      [new RegExp(`(^|-)${name}-${ROW_INDEX}-`, "g"), `$1${sub}-${index}-`],
    ];
    [row, ...row.querySelectorAll("*")].forEach((element) => {
      Array.from(element.attributes).forEach((attribute) => {
        let value = attribute.value;
        patterns.forEach(([pattern, replacement]) => { value = value.replace(pattern, replacement); });
        if (value !== attribute.value) element.setAttribute(attribute.name, value);
      });
    });
    const number = row.querySelector(".row-no");
    if (number) number.textContent = String(index + 1);
  }

  // Number the rows 0..n-1 in page order, store the count and ask for a fresh preview.
  function renumber(subform) {
    const sub = subform.dataset.subform;
    const rows = subform.querySelectorAll("tbody > tr[data-row]");
    rows.forEach((row, index) => renumberRow(row, sub, index));
    const count = subform.querySelector("input[data-row-count]");
    if (count) count.value = String(rows.length);
    const form = subform.closest("form");
    if (form) form.dispatchEvent(new CustomEvent("rows-changed", { bubbles: true }));
  }

  function addRow(subform) {
    const template = subform.querySelector("template[data-row-template]");
    const body = subform.querySelector("tbody");
    const row = template.content.querySelector("tr").cloneNode(true);
    renumberRow(row, subform.dataset.subform, body.querySelectorAll("tr[data-row]").length);
    body.appendChild(row);
    if (window.htmx) window.htmx.process(row);
    renumber(subform);
    const first = row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  }

  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("button") : null;
    const subform = button ? button.closest("[data-subform]") : null;
    if (!button || !subform) return;
    const row = button.closest("tr[data-row]");
    if (button.hasAttribute("data-add-row")) {
      addRow(subform);
    } else if (button.hasAttribute("data-remove-row") && row) {
      row.remove();
      renumber(subform);
    } else if (button.dataset.move && row) {
      const sibling = button.dataset.move === "-1" ? row.previousElementSibling : row.nextElementSibling;
      if (!sibling) return;
      if (button.dataset.move === "-1") sibling.before(row); else sibling.after(row);
      renumber(subform);
      button.focus();
    } else {
      return;
    }
    event.preventDefault();
  });

  // Errors of a field show once the user has touched it (or after a submit): no red form on the first keystroke.
  const touch = (event) => {
    const target = event.target instanceof Element ? event.target : null;
    const cell = target && target.closest(".record-form [data-path]");
    if (cell) cell.classList.add("touched");
  };
  document.addEventListener("input", touch);
  document.addEventListener("change", touch);

  // Saving stops the previews: a preview still running is awaited, so leaving the page cancels no request.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("record-form")) return;
    const live = form.querySelector(".live-preview");
    if (!live) return;
    if (live.classList.contains("htmx-request")) {
      event.preventDefault();
      event.stopImmediatePropagation();
      live.addEventListener("htmx:afterRequest", () => { live.remove(); form.requestSubmit(); }, { once: true });
      return;
    }
    live.remove();
  }, true);

  // A preview answered after rows were removed may name rows that are gone: drop those pieces before htmx swaps.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const source = event.detail.requestConfig ? event.detail.requestConfig.elt : event.target;
    if (!(source instanceof Element) || !source.classList.contains("live-preview")) return;
    const answer = document.createElement("template");
    answer.innerHTML = event.detail.serverResponse;
    answer.content.querySelectorAll("[hx-swap-oob]").forEach((piece) => {
      if (!piece.id || !document.getElementById(piece.id)) piece.remove();
    });
    event.detail.serverResponse = answer.innerHTML;
  });

  // After a preview: hide the cells whose show rule fails and mark required ones (states come as .field-state).
  function applyStates(root) {
    root.querySelectorAll(".record-form .field-state").forEach((state) => {
      const cell = state.closest("[data-field]");
      if (cell) cell.hidden = state.dataset.hidden === "1";
    });
  }
  document.addEventListener("htmx:afterSettle", () => applyStates(document));
  document.addEventListener("htmx:oobAfterSwap", () => applyStates(document));

  // Defaults from a related record (a new opportunity's industry from its client): the live answer carries the
  // field's widget holding the chosen record's value; it replaces the field's input until the user types into it.
  const typedInto = (event) => {
    const slot = event.target instanceof Element ? event.target.closest("[data-linked-slot]") : null;
    if (slot) slot.dataset.typed = "1";
  };
  document.addEventListener("input", typedInto);
  document.addEventListener("change", typedInto);

  function applyFills(root) {
    root.querySelectorAll(".record-form [data-linked-fill]").forEach((fill) => {
      const slot = document.querySelector(`[data-linked-slot="${CSS.escape(fill.dataset.linkedFill)}"]`);
      if (!slot || slot.dataset.typed === "1" || slot.dataset.key === fill.dataset.key) return;
      slot.innerHTML = fill.dataset.html;
      slot.dataset.key = fill.dataset.key;
      if (window.htmx) window.htmx.process(slot);
    });
  }
  document.addEventListener("htmx:afterSettle", () => applyFills(document));
  document.addEventListener("htmx:oobAfterSwap", () => applyFills(document));
})();
