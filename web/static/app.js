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

// A location field's "use my location" button fills latitude and longitude from the browser's geolocation;
// the inputs stay editable, and a refusal or an unavailable position is said in the field's status line.
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-geolocate]") : null;
  const box = button ? button.closest("[data-location]") : null;
  if (!box) return;
  const status = box.querySelector("[data-location-status]");
  const say = (text) => { if (status) status.textContent = text; };
  if (!("geolocation" in navigator)) { say(box.dataset.failed); return; }
  say(box.dataset.locating);
  button.disabled = true;
  navigator.geolocation.getCurrentPosition((position) => {
    const fill = (selector, number) => {
      const input = box.querySelector(selector);
      input.value = number.toFixed(6);
      input.dispatchEvent(new Event("input", { bubbles: true }));
    };
    fill("[data-location-lat]", position.coords.latitude);
    fill("[data-location-lng]", position.coords.longitude);
    button.disabled = false;
    say("");
  }, () => { button.disabled = false; say(box.dataset.failed); }, { enableHighAccuracy: true, timeout: 15000 });
});

// The apps sidebar: on a wide screen the menu button hides it, and the choice is kept for the next pages; on a
// phone (and in a designer) it opens a drawer, which Escape closes. The checkbox works without this script.
(() => {
  const toggle = document.getElementById("nav-open");
  if (!toggle) return;
  const KEY = "formwork.sidebar";
  const beside = () => window.matchMedia("(min-width: 901px)").matches && !document.querySelector("main > .designer");
  try {
    if (beside() && window.localStorage.getItem(KEY) === "hidden") toggle.checked = true;
  } catch (error) { /* storage refused: the sidebar shows */ }
  toggle.addEventListener("change", () => {
    if (!beside()) return;
    try { window.localStorage.setItem(KEY, toggle.checked ? "hidden" : "shown"); } catch (error) { /* not kept */ }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && toggle.checked && !beside()) toggle.checked = false;
  });
})();
