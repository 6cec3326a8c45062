// The formula editor: suggestions of the form's fields (by id or label) and of the functions while typing;
// ↑↓ choose, Enter or Tab inserts, Escape closes. The type check itself is asked of the server (htmx).
"use strict";

(() => {
  const WORD = /[\p{L}_][\p{L}\p{N}_.]*$/u;
  const MAX_SHOWN = 8;
  let open = null;  // {textarea, list, items, active, start}

  function data(textarea) {
    if (!textarea._suggest) {
      try { textarea._suggest = JSON.parse(textarea.dataset.suggest || "{}"); } catch { textarea._suggest = {}; }
    }
    return textarea._suggest;
  }

  function close() {
    if (open) open.list.remove();
    open = null;
  }

  function matches(textarea, word) {
    const lower = word.toLowerCase();
    const { fields = [], functions = [] } = data(textarea);
    const found = fields.filter((f) => f.id.toLowerCase().startsWith(lower) || f.label.toLowerCase().includes(lower))
      .map((f) => ({ insert: f.id, text: f.id, note: f.label }));
    const fns = functions.filter((f) => f.name.toLowerCase().startsWith(lower))
      .map((f) => ({ insert: `${f.name}(`, text: f.name, note: f.signature }));
    return [...found, ...fns].slice(0, MAX_SHOWN);
  }

  function show(textarea) {
    const before = textarea.value.slice(0, textarea.selectionStart);
    const word = (before.match(WORD) || [""])[0];
    if (!word || /^\d/.test(word)) { close(); return; }
    const items = matches(textarea, word);
    if (!items.length) { close(); return; }
    close();
    const list = document.createElement("ul");
    list.className = "formula-suggest";
    list.setAttribute("role", "listbox");
    items.forEach((item, i) => {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.dataset.index = String(i);
      const code = document.createElement("code");
      code.textContent = item.text;
      const note = document.createElement("span");
      note.className = "muted";
      note.textContent = item.note;
      li.append(code, " ", note);
      li.addEventListener("mousedown", (event) => { event.preventDefault(); choose(i); });
      list.append(li);
    });
    textarea.insertAdjacentElement("afterend", list);
    open = { textarea, list, items, active: 0, start: textarea.selectionStart - word.length };
    mark();
  }

  function mark() {
    open.list.querySelectorAll("li").forEach((li, i) => li.setAttribute("aria-selected", String(i === open.active)));
  }

  function choose(i) {
    const { textarea, items, start } = open;
    const end = textarea.selectionStart;
    const insert = items[i].insert;
    textarea.value = textarea.value.slice(0, start) + insert + textarea.value.slice(end);
    const caret = start + insert.length;
    textarea.setSelectionRange(caret, caret);
    close();
    textarea.focus();
    textarea.dispatchEvent(new Event("formula-changed"));  // the server checks it again
  }

  document.addEventListener("input", (event) => {
    const textarea = event.target;
    if (textarea instanceof HTMLTextAreaElement && textarea.hasAttribute("data-formula")) show(textarea);
  });

  document.addEventListener("keydown", (event) => {
    if (!open || event.target !== open.textarea) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const n = open.items.length;
      open.active = (open.active + (event.key === "ArrowDown" ? 1 : n - 1)) % n;
      mark();
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      choose(open.active);
    } else if (event.key === "Escape") {
      close();
    }
  });

  document.addEventListener("focusout", (event) => { if (open && event.target === open.textarea) close(); });
})();
