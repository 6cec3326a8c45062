// /admin/home: the condition builder's ✕ removes its row (the rows are drawn by the server; see home_conditions.py).
"use strict";

document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-remove-row]") : null;
  const row = button ? button.closest(".cond-row") : null;
  if (row) row.remove();
});
