// The designer's property panel, rules and preview: option rows (add, remove, drag, paste), subform columns
// (drag), the default value's mode, the serial pattern's parts, a rule's kind, and the preview's width switch.
// The server does the saving: every change posts the panel (htmx) and the answer replaces it.
"use strict";

(() => {
  const changed = (element) => element.dispatchEvent(new Event("change", { bubbles: true }));

  // Inputs that post on their own (the serial pattern, the column type) never post the whole panel too.
  function ownPosts(root) {
    root.querySelectorAll("[data-own-post]").forEach((input) => {
      if (input.dataset.ownPostReady) return;
      input.dataset.ownPostReady = "1";
      input.addEventListener("change", (event) => event.stopPropagation());
    });
  }

  function sortable(root) {
    if (!window.Sortable) return;
    root.querySelectorAll("[data-option-rows]").forEach((list) => {
      if (list.dataset.sortReady) return;
      list.dataset.sortReady = "1";
      window.Sortable.create(list, { handle: ".drag-handle", animation: 120, onEnd: () => changed(list) });
    });
    root.querySelectorAll("[data-column-rows]").forEach((list) => {
      if (list.dataset.sortReady) return;
      list.dataset.sortReady = "1";
      window.Sortable.create(list, { handle: ".drag-handle", animation: 120,
        onEnd: (event) => { if (event.oldIndex !== event.newIndex) window.htmx.trigger(list, "columns-sorted"); } });
    });
  }

  function setUp(root) {
    ownPosts(root);
    sortable(root);
  }

  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const add = target.closest("[data-option-add]");
    if (add) {
      const editor = add.closest(".options-editor");
      const row = editor.querySelector("template[data-option-template]").content.firstElementChild.cloneNode(true);
      editor.querySelector("[data-option-rows]").append(row);
      row.querySelector("input[name='opt.value']").focus();
      return;
    }
    const remove = target.closest("[data-option-remove]");
    if (remove) {
      const list = remove.closest("[data-option-rows]");
      remove.closest("li").remove();
      changed(list);
      return;
    }
    const paste = target.closest("[data-option-paste]");
    if (paste) {
      changed(paste.closest(".option-paste").querySelector("textarea"));
      return;
    }
    const part = target.closest("[data-serial-part]");
    if (part) {
      const input = part.closest(".serial-editor").querySelector("[data-serial-pattern]");
      const at = input.selectionStart ?? input.value.length;
      const end = input.selectionEnd ?? at;
      input.value = input.value.slice(0, at) + part.dataset.serialPart + input.value.slice(end);
      input.focus();
      input.setSelectionRange(at + part.dataset.serialPart.length, at + part.dataset.serialPart.length);
      input.dispatchEvent(new Event("serial-typed"));
      changed(input);
      return;
    }
    const width = target.closest("[data-preview-width]");
    if (width) {
      event.preventDefault();
      const group = width.closest("[data-preview-switch]");
      group.dataset.width = width.dataset.previewWidth;
      group.querySelectorAll("[data-preview-width]").forEach((b) => b.setAttribute("aria-pressed", String(b === width)));
      window.history.replaceState(null, "", width.getAttribute("href"));
    }
  });

  document.addEventListener("input", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement)) return;
    if (input.name === "opt.value") {  // the default mark of a row carries the row's value
      const mark = input.closest("li").querySelector("[name='opt.default']");
      if (mark) mark.value = input.value;
    }
    if (input.hasAttribute("data-serial-pattern")) input.dispatchEvent(new Event("serial-typed"));
  });

  // A change that would post an incomplete value waits: a default mode that needs a value, a rule turned into a
  // check that has no formula yet, a new option row without a value.
  document.addEventListener("change", (event) => {
    const select = event.target;
    if (!(select instanceof HTMLSelectElement)) return;
    if (select.hasAttribute("data-rule-kind")) {
      const form = select.closest("form");
      const check = select.value === "check";
      const require = select.value === "require";
      form.querySelectorAll("[data-rule-check]").forEach((part) => { part.hidden = !check; });
      form.querySelectorAll("[data-rule-message]").forEach((part) => { part.hidden = !(check || require); });
      const legend = form.querySelector("[data-rule-fields-label]");
      if (legend) legend.textContent = check ? legend.dataset.checkLabel : legend.dataset.fieldsLabel;
      const message = form.querySelector("[data-rule-message-label]");
      if (message) message.textContent = require ? message.dataset.requireLabel : message.dataset.checkLabel;
      const formula = form.querySelector("textarea[name=check]");
      if (check && formula && !formula.value.trim()) event.stopPropagation();
    }
    if (select.name === "opt.colour") {
      select.className = select.value ? `swatch-select app-color-${select.value}` : "swatch-select";
    }
  }, false);

  // The default's mode shows its part; a part that still needs a value (a fixed value, a formula, the relation and
  // its field) holds the change back until it has one. Capturing: the panel posts on the change's bubbling.
  document.addEventListener("change", (event) => {
    const select = event.target;
    if (!(select instanceof HTMLSelectElement)) return;
    const editor = select.closest("[data-default-editor]");
    if (!editor) return;
    if (select.hasAttribute("data-default-mode")) {
      editor.querySelectorAll("[data-default-part]").forEach((part) => {
        part.hidden = part.dataset.defaultPart !== select.value;
      });
    }
    if (select.hasAttribute("data-default-from")) {
      editor.querySelectorAll("[data-default-from-field]").forEach((fields) => {
        fields.hidden = fields.dataset.defaultFromField !== select.value;
      });
    }
    const part = editor.querySelector("[data-default-part]:not([hidden])");
    const needed = part ? Array.from(part.querySelectorAll("input[name^='k.default'], textarea[name^='k.default'], select[name^='k.default']")) : [];
    if (needed.some((input) => !input.hidden && !input.value.trim())) event.stopPropagation();
  }, true);

  // A refused change (400: bad input, 409: drawn before another change) answers the panel with the reason at the
  // input: show it, as htmx would not swap an error answer by itself.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const source = event.detail.requestConfig ? event.detail.requestConfig.elt : null;
    const status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (!(source instanceof Element) || (status !== 400 && status !== 409)) return;
    if (!source.closest(".props-panel, .rules-panel, .settings-panel")) return;
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  });

  // A panel is replaced by the server's answer after each change; the person keeps typing where they were: the
  // input that had the focus (found again by its name and its place among inputs of that name, e.g. the third
  // option's English label) gets it back with its caret, and text typed there while the change was saved is kept.
  const PANELS = ".props-panel, .rules-panel, .settings-panel";
  let typing = null;

  function fieldsNamed(panel, name) {
    return Array.from(panel.querySelectorAll("input, textarea, select")).filter((el) => el.name === name);
  }

  document.addEventListener("htmx:beforeSwap", (event) => {
    const active = document.activeElement;
    const panel = active instanceof HTMLElement && active.name ? active.closest(PANELS) : null;
    const target = event.detail.target;
    // Only a swap of the panel itself is remembered: another swap in between (the canvas, a badge) must not make
    // the panel's answer forget where the person was.
    if (!panel || !(target instanceof Element) || !(target === panel || target.contains(panel))) return;
    const text = active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement;
    typing = {
      panel: panel.matches(".rules-panel") ? ".rules-panel" : panel.matches(".settings-panel") ? ".settings-panel" : ".props-panel",
      rule: active.closest("[data-rule]") ? active.closest("[data-rule]").dataset.rule : null,
      name: active.name,
      index: fieldsNamed(active.closest("form") || panel, active.name).indexOf(active),
      value: text ? active.value : null,
      edited: text && active.value !== active.defaultValue,
      start: text ? active.selectionStart : null,
      end: text ? active.selectionEnd : null,
    };
  });

  document.addEventListener("htmx:afterSettle", (event) => {
    const was = typing;
    const settled = event.detail ? event.detail.target : null;
    if (!was || !(settled instanceof Element)) return;
    const fresh = document.querySelector(was.panel);
    if (!fresh || !(settled === fresh || settled.contains(fresh) || fresh.contains(settled))) return;  // another swap
    typing = null;
    if (document.activeElement && document.activeElement !== document.body) return;
    let scope = fresh;
    if (scope && was.rule !== null) scope = scope.querySelector(`[data-rule="${CSS.escape(was.rule)}"] form`) || scope;
    const input = scope ? fieldsNamed(scope, was.name)[was.index] : null;
    if (!input) return;
    input.focus();
    if (was.edited && was.value !== null && input.value !== was.value) {
      input.value = was.value;  // typed while the last change was saved: still to be posted when it is left
      let posted = false;
      input.addEventListener("change", () => { posted = true; }, { once: true });
      input.addEventListener("blur", () => {
        setTimeout(() => { if (!posted && input.isConnected && input.value !== input.defaultValue) changed(input); }, 0);
      }, { once: true });
    }
    if (was.start !== null && typeof input.setSelectionRange === "function") {
      try { input.setSelectionRange(was.start, was.end); } catch (e) { /* a type without a caret */ }
    }
  });

  document.addEventListener("DOMContentLoaded", () => setUp(document));
  document.addEventListener("htmx:load", (event) => setUp(event.target instanceof Element ? event.target : document));
})();
