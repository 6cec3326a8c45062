// The formula editor: suggestions of the form's fields (by id or label) and of the functions while typing;
// ↑↓ choose, Enter or Tab inserts, Escape closes. Under the formula, the help of the function the caret is in
// (signature, description and an example, from the function catalogue in the viewer's language, fetched once).
// The type check itself is asked of the server (htmx).
"use strict";

(() => {
  const WORD = /[\p{L}_][\p{L}\p{N}_.]*$/u;
  const STRINGS = /'(?:[^']|'')*'?|"(?:[^"]|"")*"?/g;
  const CALLED = /([A-Za-z_][A-Za-z0-9_.]*)\s*$/;
  const MAX_SHOWN = 8;
  let open = null;  // {textarea, list, items, active, start}
  let catalogue = null;  // {functions: {NAME: help}, labels}, once fetched
  let fetching = null;

  function loadCatalogue() {
    if (!fetching) {
      fetching = fetch("/design/formula-functions", { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((r) => (r.ok ? r.json() : { functions: [], labels: {} }))
        .catch(() => ({ functions: [], labels: {} }))
        .then((data) => {
          catalogue = { functions: Object.fromEntries(data.functions.map((f) => [f.name, f])), labels: data.labels || {} };
          const active = document.activeElement;
          if (open && open.textarea === active) show(active);  // the open suggestions gain their descriptions
          else if (active instanceof HTMLTextAreaElement && active.hasAttribute("data-formula")) help(active);
        });
    }
    return fetching;
  }

  function calledAt(textarea) {
    // The function whose parentheses hold the caret: strings blanked out, then the nearest unclosed "(".
    const before = textarea.value.slice(0, textarea.selectionStart).replace(STRINGS, (m) => " ".repeat(m.length));
    let depth = 0;
    for (let i = before.length - 1; i >= 0; i--) {
      if (before[i] === ")") depth++;
      else if (before[i] === "(") {
        if (depth === 0) {
          const name = (before.slice(0, i).match(CALLED) || [])[1];
          return name ? name.toUpperCase() : null;
        }
        depth--;
      }
    }
    return null;
  }

  function helpBox(textarea) {
    let box = textarea._help;
    if (!box) {
      box = document.createElement("span");  // phrasing content: the editor may sit inside a label
      box.className = "formula-fn-help muted";
      box.setAttribute("aria-live", "polite");
      const check = textarea.parentElement.querySelector(".formula-check");
      (check || textarea).insertAdjacentElement("afterend", box);
      textarea._help = box;
    }
    return box;
  }

  function help(textarea, name) {
    if (!catalogue) { loadCatalogue(); return; }
    const fn = catalogue.functions[name || calledAt(textarea) || ""];
    const box = helpBox(textarea);
    box.replaceChildren();
    box.hidden = !fn;
    if (!fn) return;
    const signature = document.createElement("code");
    signature.textContent = `${fn.signature} → ${fn.result}`;
    const example = document.createElement("code");
    example.textContent = fn.returns ? `${fn.example} = ${fn.returns}` : fn.example;
    box.append(signature, ` ${fn.description} · ${catalogue.labels.example || "Example"}: `, example);
  }

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
    const fns = functions.filter((f) => f.name.toLowerCase().startsWith(lower)).map((f) => {
      const known = catalogue && catalogue.functions[f.name];
      return { insert: `${f.name}(`, text: f.name, fn: f.name, note: known ? `${known.signature} — ${known.description}` : f.signature };
    });
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
      if (item.fn) li.addEventListener("mouseenter", () => help(textarea, item.fn));
      li.addEventListener("mousedown", (event) => { event.preventDefault(); choose(i); });
      list.append(li);
    });
    textarea.insertAdjacentElement("afterend", list);
    open = { textarea, list, items, active: 0, start: textarea.selectionStart - word.length };
    mark();
  }

  function mark() {
    open.list.querySelectorAll("li").forEach((li, i) => li.setAttribute("aria-selected", String(i === open.active)));
    const item = open.items[open.active];
    if (item && item.fn) help(open.textarea, item.fn);
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
    help(textarea);
  }

  document.addEventListener("input", (event) => {
    const textarea = event.target;
    if (textarea instanceof HTMLTextAreaElement && textarea.hasAttribute("data-formula")) {
      show(textarea);
      if (!open) help(textarea);
    }
  });

  const following = (event) => {
    const textarea = event.target;
    if (textarea instanceof HTMLTextAreaElement && textarea.hasAttribute("data-formula") && !open) help(textarea);
  };
  document.addEventListener("focusin", following);
  document.addEventListener("click", following);
  document.addEventListener("keyup", (event) => { if (event.key.startsWith("Arrow") || event.key === "Home" || event.key === "End") following(event); });

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
