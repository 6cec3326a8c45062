// Record lists and kanban boards: select-all, the count of ticked rows, the toolbar menus, confirm on a submit button,
// and moving cards between columns.
"use strict";

// A submit button with data-confirm asks before its form is sent (e.g. batch delete beside batch edit).
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// The header checkbox ticks every row of the page.
document.addEventListener("change", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || !box.hasAttribute("data-select-all")) return;
  const form = box.closest("form");
  if (!form) return;
  form.querySelectorAll("input[name=_ids]").forEach((row) => { row.checked = box.checked; });
});

// The batch bar says how many rows are ticked (CSS shows it only when there is at least one).
function countPicked(form) {
  const counter = form.querySelector("[data-picked-count]");
  if (!counter) return;
  const rows = form.querySelectorAll("input[name=_ids]");
  const ticked = form.querySelectorAll("input[name=_ids]:checked").length;
  counter.textContent = ticked ? counter.dataset.template.replace("{n}", String(ticked)) : "";
  const all = form.querySelector("[data-select-all]");
  if (all) {
    all.checked = ticked > 0 && ticked === rows.length;
    all.indeterminate = ticked > 0 && ticked < rows.length;
  }
}

document.addEventListener("change", (event) => {
  const form = event.target instanceof Element ? event.target.closest("form.batch") : null;
  if (form) countPicked(form);
});
const countAll = () => document.querySelectorAll("form.batch").forEach(countPicked);
document.addEventListener("DOMContentLoaded", countAll);
window.addEventListener("pageshow", countAll); // the browser may restore ticks on Back
document.addEventListener("htmx:afterSettle", countAll);

// Toolbar menus (<details class="menu">): one open at a time; a click elsewhere or Escape closes them.
function closeMenus(except) {
  document.querySelectorAll("details.menu[open]").forEach((menu) => { if (menu !== except) menu.open = false; });
}
document.addEventListener("click", (event) => {
  const inside = event.target instanceof Element ? event.target.closest("details.menu") : null;
  closeMenus(inside);
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const open = document.querySelector("details.menu[open]");
  if (!open) return;
  closeMenus(null);
  open.querySelector("summary").focus();
});

function showMessage(text) {
  const box = document.getElementById("kanban-message");
  if (!box) return;
  box.textContent = text || "";
  box.hidden = !text;
}

function shiftCount(list, delta) {
  const counter = list.closest(".kanban-column").querySelector("[data-count]");
  counter.textContent = String(Number(counter.textContent) + delta);
}

// A board that adds a field up per column moves the card's amount from one sum to the other, written as the
// server writes it (the prefix such as ¥, digits grouped by thousands, the field's decimal places).
function shiftSum(board, list, card, sign) {
  const box = list.closest(".kanban-column").querySelector("[data-sum]");
  if (!box || !card.dataset.measure || board.dataset.sumDecimals === undefined) return;
  const decimals = Number(board.dataset.sumDecimals);
  const scale = 10 ** decimals;
  const units = Math.round(Number(box.dataset.sum) * scale) + sign * Math.round(Number(card.dataset.measure) * scale);
  const value = units / scale;
  box.dataset.sum = value.toFixed(decimals);
  const digits = Math.abs(value).toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  box.querySelector("[data-sum-text]").textContent = (value < 0 ? "-" : "") + board.dataset.sumPrefix + digits;
}

function putBack(event) {
  event.from.insertBefore(event.item, event.from.children[event.oldIndex] || null);
}

// Dropping a card on another column saves the new value with the version the card was read at;
// a conflict or a validation error puts the card back and says why.
function moveCard(board, event) {
  if (event.from === event.to) return;
  const card = event.item;
  const body = new URLSearchParams({ id: card.dataset.id, version: card.dataset.version, value: event.to.dataset.value });
  fetch(board.dataset.moveUrl, {
    method: "POST", body, credentials: "same-origin",
    headers: { "X-CSRF-Token": board.dataset.csrf, "Accept": "application/json" },
  }).then((response) => response.json().then((data) => ({ ok: response.ok, data })))
    .then(({ ok, data }) => {
      if (!ok) throw new Error(data.message);
      card.dataset.version = String(data.version);
      shiftCount(event.from, -1);
      shiftCount(event.to, 1);
      shiftSum(board, event.from, card, -1);
      shiftSum(board, event.to, card, 1);
      showMessage("");
    })
    .catch((error) => {
      putBack(event);
      showMessage(error instanceof SyntaxError || !error.message ? board.dataset.networkError : error.message);
    });
}

function startBoard(board) {
  if (!window.Sortable || board.dataset.started) return;
  board.dataset.started = "1";
  board.querySelectorAll(".kanban-cards").forEach((list) => {
    window.Sortable.create(list, {
      group: "kanban", sort: false, animation: 150, draggable: ".kanban-card", ghostClass: "dragging", forceFallback: true, fallbackOnBody: true, delay: 150, delayOnTouchOnly: true,
      onEnd: (event) => moveCard(board, event),
    });
  });
}

document.addEventListener("DOMContentLoaded", () => document.querySelectorAll(".kanban").forEach(startBoard));
