// /api/docs: the search box filters the operations (and the contents list) by method, path, id and summary.
// Without this script the box stays hidden and the page shows every operation.
(function () {
  "use strict";
  const box = document.querySelector(".api-search");
  const input = document.getElementById("api-search");
  if (!box || !input) return;
  box.hidden = false;
  const ops = Array.from(document.querySelectorAll("article.api-op"));
  const count = document.getElementById("api-search-count");
  const noMatch = document.querySelector(".api-no-match");

  function apply() {
    const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    const visible = new Set();
    ops.forEach((op) => {
      const text = op.dataset.search || "";
      const match = words.every((w) => text.includes(w));
      op.hidden = !match;
      if (match) { shown += 1; visible.add(op.dataset.apiOp); }
    });
    document.querySelectorAll("li[data-api-op]").forEach((li) => { li.hidden = !visible.has(li.dataset.apiOp); });
    document.querySelectorAll("[data-api-tag]").forEach((group) => {
      group.hidden = !group.querySelector("[data-api-op]:not([hidden])");
    });
    if (noMatch) noMatch.hidden = shown > 0;
    if (count) count.textContent = (count.dataset.template || "{n}").replace("{n}", String(shown));
  }
  input.addEventListener("input", apply);
  input.addEventListener("search", apply);
  if (input.value) apply();
})();
