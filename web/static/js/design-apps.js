// The app design page: dragging a form in the list sends the new menu order (the up and down buttons do the
// same without a mouse or without JavaScript).
"use strict";

function startFormOrder(list) {
  if (!window.Sortable || list.dataset.started) return;
  list.dataset.started = "1";
  window.Sortable.create(list, {
    handle: ".drag-handle", animation: 150, ghostClass: "dragging", forceFallback: true, fallbackOnBody: true,
    onEnd: (event) => {
      if (event.oldIndex !== event.newIndex) list.closest("form").requestSubmit();
    },
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-sortable-forms]").forEach(startFormOrder);
});
