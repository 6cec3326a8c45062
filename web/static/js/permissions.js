// Permission matrix: the condition input shows only when the scope is "condition"; the cell being edited is marked.
(() => {
  document.addEventListener("change", (event) => {
    const select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.matches("[data-scope-select]")) return;
    const form = select.closest("[data-scope-form]");
    const condition = form && form.querySelector("[data-condition]");
    if (!condition) return;
    condition.hidden = select.value !== "condition";
    if (!condition.hidden) condition.querySelector("input")?.focus();
  });

  document.addEventListener("click", (event) => {
    const cell = event.target instanceof Element ? event.target.closest(".perm-cell") : null;
    if (!cell) return;
    document.querySelectorAll(".perm-cell.editing").forEach((c) => c.classList.remove("editing"));
    cell.classList.add("editing");
  });

  // After the editor arrives, move focus into it so keyboard users land on what they opened.
  document.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail.target;
    if (!(target instanceof Element) || target.id !== "cell-editor") return;
    const heading = target.querySelector("h3");
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
  });
})();
