// Tab strips of form layouts (templates/_layout.html): one panel shown at a time, the WAI-ARIA tabs pattern
// (roving tabindex; arrow keys, Home and End move and open). Without this file the buttons stay hidden and every
// panel shows under its own title. A tab is marked while a field in it shows an error, and its button is hidden
// while rules hide every field in it.
"use strict";

(() => {
  const tabsOf = (strip) => Array.from(strip.querySelectorAll(":scope > .tab-list > [role=tab]"));
  const panelOf = (tab) => document.getElementById(tab.getAttribute("aria-controls"));

  function select(strip, tab, focus) {
    tabsOf(strip).forEach((other) => {
      const chosen = other === tab;
      other.setAttribute("aria-selected", chosen ? "true" : "false");
      other.tabIndex = chosen ? 0 : -1;
      const panel = panelOf(other);
      if (panel) panel.hidden = !chosen;
    });
    if (focus) tab.focus();
    tab.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  // An error the page shows. On a generated form the live preview keeps each field's .field-errors current (shown
  // once the field is touched, or after a save); a page without previews (a workflow task) marks cells .invalid.
  function showsError(panel) {
    const live = panel.querySelectorAll(".field-errors");
    if (!live.length) return panel.querySelector(".invalid, .cell > .error") !== null;
    const submitted = panel.closest("form.submitted") !== null;
    return Array.from(live).some((box) => {
      const cell = box.closest("[data-path]");
      return box.querySelector(".error") !== null && (submitted || (cell !== null && cell.classList.contains("touched")));
    });
  }

  // Marks and hidden buttons follow the fields: a preview may hide or show fields and bring or clear errors.
  function sync(strip) {
    const tabs = tabsOf(strip);
    tabs.forEach((tab) => {
      const panel = panelOf(tab);
      if (!panel) return;
      const cells = Array.from(panel.querySelectorAll("[data-field]"));
      const empty = cells.length > 0 && cells.every((cell) => cell.hidden);
      if (tab.hidden !== empty) tab.hidden = empty;
      const error = showsError(panel);
      if (tab.hasAttribute("data-tab-error") !== error) tab.toggleAttribute("data-tab-error", error);
    });
    const current = tabs.find((tab) => tab.getAttribute("aria-selected") === "true");
    const shown = tabs.filter((tab) => !tab.hidden);
    if (current && current.hidden && shown.length) select(strip, shown[0], false);
  }

  function setUp(strip) {
    const tabs = tabsOf(strip);
    if (!tabs.length) return;
    tabs.forEach((tab) => {
      const panel = panelOf(tab);
      if (!panel) return;
      panel.setAttribute("role", "tabpanel");
      panel.tabIndex = 0;
    });
    strip.classList.add("tabs-on");
    strip.querySelector(":scope > .tab-list").hidden = false;
    const opened = tabs.find((tab) => tab.getAttribute("aria-selected") === "true") || tabs[0];
    tabs.forEach((tab) => {
      const panel = panelOf(tab);
      if (panel) panel.hidden = tab !== opened;
    });
    sync(strip);

    strip.addEventListener("click", (event) => {
      const tab = event.target instanceof Element ? event.target.closest("[role=tab]") : null;
      if (tab && tabsOf(strip).includes(tab)) select(strip, tab, false);
    });
    strip.addEventListener("keydown", (event) => {
      const tab = event.target instanceof Element ? event.target.closest("[role=tab]") : null;
      const shown = tabsOf(strip).filter((other) => !other.hidden);
      const at = shown.indexOf(tab);
      if (at < 0) return;
      const rtl = getComputedStyle(strip).direction === "rtl";
      const step = { ArrowRight: rtl ? -1 : 1, ArrowLeft: rtl ? 1 : -1 }[event.key];
      let next = null;
      if (step) next = shown[(at + step + shown.length) % shown.length];
      else if (event.key === "Home") next = shown[0];
      else if (event.key === "End") next = shown[shown.length - 1];
      if (!next) return;
      event.preventDefault();
      select(strip, next, true);
    });
    // Fields hidden or shown, errors swapped in, cells touched: the marks and hidden buttons follow.
    new MutationObserver((changes) => {
      if (changes.some((change) => !(change.target instanceof Element) || !change.target.matches("[role=tab], [data-tab-panel], .tab-list"))) {
        sync(strip);
      }
    }).observe(strip, { subtree: true, childList: true, attributes: true, attributeFilter: ["hidden", "class"] });
  }

  const start = () => document.querySelectorAll("[data-tabs]").forEach(setUp);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
