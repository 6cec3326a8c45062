// Formwork's own small behaviours. No inline scripts: the Content-Security-Policy allows only files we serve.
"use strict";

// <form data-confirm="…"> asks before it submits (delete, batch delete, purge).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
}, true);

// A form submits once: its submit buttons are disabled until the page answers.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || event.defaultPrevented || form.hasAttribute("hx-post")) return;
  window.setTimeout(() => {
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach((b) => { b.disabled = true; });
  }, 0);
});

// htmx shows a busy state through the htmx-request class; the CSS in app.css styles it (no inline styles).
