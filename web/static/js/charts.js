// Charts of reports (web/charts/, templates/charts/*.html). An ECharts box is `<div class="chart" data-chart="{…}">`
// holding {option, formats, map, lang}: this file loads ECharts (vendor/echarts) once a page has such a box, and the
// China map only when a box asks for it, draws each box with the canvas renderer, keeps it the size of its box
// (ResizeObserver: a phone's width too), and labels values as web/charts/numbers.py says. A click on a point, or on
// a table, pivot or KPI cell with `data-keys`, dispatches `chart:select` (bubbling) whose detail is
// {keys: {dimension: member key}, value, name}: the dashboard turns it into a list URL or filters other charts.
"use strict";

(() => {
  const here = document.currentScript ? document.currentScript.src : "/static/js/charts.js";
  const ECHARTS = new URL("../vendor/echarts/echarts.min.js", here).href;
  const MAPS = { china: new URL("../vendor/echarts-map/china.json", here).href };
  const loading = {};

  function loadScript(src) {
    if (!loading[src]) {
      loading[src] = new Promise((resolve, reject) => {
        const tag = document.createElement("script");
        tag.src = src;
        tag.onload = resolve;
        tag.onerror = () => reject(new Error(`cannot load ${src}`));
        document.head.appendChild(tag);
      });
    }
    return loading[src];
  }

  function loadMap(name) {
    if (!name || window.echarts.getMap(name)) return Promise.resolve();
    const key = `map:${name}`;
    if (!loading[key]) {
      loading[key] = fetch(MAPS[name], { credentials: "same-origin" })
        .then((answer) => {
          if (!answer.ok) throw new Error(`cannot load the map ${name}`);
          return answer.json();
        })
        .then((geo) => window.echarts.registerMap(name, geo));
    }
    return loading[key];
  }

  // Value labels as numbers.py describes them: {kind: number|money|percent|days, currency?, suffix?}; compact.
  function numberFormat(format, lang) {
    const locale = lang === "en" ? "en" : "zh-CN";
    const options = { notation: "compact", maximumFractionDigits: 1 };
    if (format.kind === "money") Object.assign(options, { style: "currency", currency: format.currency || "CNY", currencyDisplay: "narrowSymbol" });
    if (format.kind === "percent") Object.assign(options, { style: "percent", notation: "standard" });
    const intl = new Intl.NumberFormat(locale, options);
    return (value) => (typeof value === "number" ? intl.format(value) + (format.suffix || "") : value);
  }

  // A point's value as people read it: the text numbers.py wrote, else the plain value.
  function pointText(p) {
    const data = p.data || {};
    if (Array.isArray(data.text)) return data.text.join(" · ");
    if (data.text !== undefined) return data.text;
    return p.value === undefined || p.value === null || Number.isNaN(p.value) ? "—" : String(p.value);
  }

  function element(tag, className, text) {
    const found = document.createElement(tag);
    if (className) found.className = className;
    if (text !== undefined) found.textContent = text;
    return found;
  }

  // Tooltips built as elements, not HTML text: ECharts' own markers carry style attributes, which the page's
  // Content-Security-Policy refuses; a colour set through the DOM is allowed.
  function tooltip(params) {
    const list = Array.isArray(params) ? params : [params];
    const box = element("div", "chart-tip");
    if (Array.isArray(params) && list.length) box.appendChild(element("div", "chart-tip-head", list[0].name));
    list.forEach((p) => {
      const line = element("div", "chart-tip-line");
      const dot = element("span", "chart-tip-dot");
      if (typeof p.color === "string") dot.style.backgroundColor = p.color;
      line.append(dot, element("span", "", (Array.isArray(params) ? p.seriesName : p.name || p.seriesName) || ""),
                  element("b", "", pointText(p)));
      box.appendChild(line);
    });
    return box;
  }

  function applyFormats(option, spec) {
    const formats = spec.formats || {};
    for (const axis of ["xAxis", "yAxis"]) {
      (formats[axis] || []).forEach((format, i) => {
        const target = Array.isArray(option[axis]) ? option[axis][i] : i === 0 ? option[axis] : null;
        if (target) target.axisLabel = Object.assign({}, target.axisLabel, { formatter: numberFormat(format, spec.lang) });
      });
    }
    (formats.series || []).forEach((format, i) => {
      const series = option.series && option.series[i];
      if (series) series.axisLabel = Object.assign({}, series.axisLabel, { formatter: numberFormat(format, spec.lang) });
    });
    (formats.visualMap || []).forEach((format) => {
      if (option.visualMap) option.visualMap.formatter = numberFormat(format, spec.lang);
    });
    if (option.tooltip && !option.tooltip.formatter) option.tooltip.formatter = tooltip;
    (option.series || []).forEach((series) => {
      if (series.label && series.label.show && !series.label.formatter) series.label.formatter = (p) => pointText(p);
    });
  }

  function select(box, detail) {
    box.dispatchEvent(new CustomEvent("chart:select", { bubbles: true, detail }));
  }

  function draw(box) {
    if (box.dataset.drawn) return;
    box.dataset.drawn = "1";
    let spec;
    try {
      spec = JSON.parse(box.dataset.chart);
    } catch (error) {
      box.dataset.drawn = "";
      throw new Error(`a chart's data-chart is not JSON: ${error.message}`);
    }
    loadScript(ECHARTS)
      .then(() => loadMap(spec.map))
      .then(() => {
        const chart = window.echarts.init(box, null, { renderer: "canvas", locale: spec.lang === "en" ? "EN" : "ZH" });
        const option = spec.option;
        applyFormats(option, spec);
        chart.setOption(option);
        chart.on("click", (p) => {
          const data = p.data || {};
          if (data.keys) {
            select(box, { keys: data.keys, value: data.value, name: p.name || data.name || "", measure: data.measure || null,
                          modifier: Boolean(p.event && p.event.event && (p.event.event.ctrlKey || p.event.event.metaKey)) });
          }
        });
        // Follow the box's size; a box laid out at no size (hidden, not yet in the page) keeps its last drawing.
        const observer = new ResizeObserver(() => {
          if (chart.isDisposed()) observer.disconnect();
          else if (box.clientWidth > 0 && box.clientHeight > 0) chart.resize();
        });
        observer.observe(box);
        box.dataset.drawn = "done";
        box.dispatchEvent(new CustomEvent("chart:drawn", { bubbles: true }));
      })
      .catch((error) => {
        box.dataset.drawn = "failed";
        box.textContent = box.dataset.failed || "";
        console.error(error);
      });
  }

  function drawAll(root) {
    root.querySelectorAll(".chart[data-chart]").forEach(draw);
    root.querySelectorAll("[data-color]").forEach((dot) => { dot.style.backgroundColor = dot.dataset.color; });
  }

  // Tables, pivots and KPI cards: a cell with data-keys selects its records (a click, or Enter on it).
  function pick(event) {
    const cell = event.target.closest && event.target.closest(".chart-table [data-keys], .chart-kpi[data-keys]");
    if (!cell || (event.type === "keydown" && event.key !== "Enter")) return;
    select(cell, { keys: JSON.parse(cell.dataset.keys || "{}"), value: null, name: cell.textContent.trim(),
                   measure: cell.dataset.measure || null, modifier: event.ctrlKey || event.metaKey });
  }

  document.addEventListener("click", pick);
  document.addEventListener("keydown", pick);
  document.addEventListener("htmx:load", (event) => drawAll(event.target));
  // A chart swapped out by htmx lets go of its canvas and listeners.
  document.addEventListener("htmx:beforeCleanupElement", (event) => {
    const box = event.target;
    if (window.echarts && box.matches && box.matches(".chart[data-chart]")) {
      const chart = window.echarts.getInstanceByDom(box);
      if (chart) chart.dispose();
    }
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => drawAll(document));
  else drawAll(document);
})();
