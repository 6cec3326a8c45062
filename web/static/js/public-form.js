// A public form's page (/f/{token}) with JavaScript on: the form's show and require rules follow what the visitor
// types. The server decides (POST <page>/live answers which of the page's fields are hidden or required now); this
// file only applies the answer. Without JavaScript, or when the server does not answer, the page works as a plain
// form and the rules apply when it is sent.
"use strict";

(() => {
  const form = document.querySelector("form.public-form[data-live]");
  if (!form) return;
  let timer = null;
  let asked = 0;

  function mark(cell, required) {
    const label = cell.querySelector(".field-label");
    let star = label ? label.querySelector(".req") : null;
    if (required && label && !star) {
      star = document.createElement("span");
      star.className = "req";
      star.textContent = "*";
      label.append(" ", star);
    } else if (!required && star) {
      star.remove();
    }
    cell.querySelectorAll("input, select, textarea").forEach((input) => {
      if (required) input.setAttribute("aria-required", "true");
      else input.removeAttribute("aria-required");
    });
  }

  function apply(state) {
    const hidden = new Set(state.hidden || []);
    const required = new Set(state.required || []);
    form.querySelectorAll(".cell[data-field]").forEach((cell) => {
      const id = cell.dataset.field;
      cell.hidden = hidden.has(id);
      mark(cell, required.has(id));
    });
  }

  function ask() {
    const number = ++asked;
    const body = new FormData(form);
    Array.from(body.keys()).forEach((key) => {  // the rules need what was typed, not the files chosen
      if (body.getAll(key).some((value) => value instanceof File)) body.delete(key);
    });
    fetch(form.dataset.live, { method: "POST", body, credentials: "omit" })
      .then((response) => (response.ok ? response.json() : null))
      .then((state) => { if (state && number === asked) apply(state); })
      .catch(() => {});  // offline or refused: the rules still apply when the form is sent
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 250);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
