// Server-side drawing of chart specs (web/charts/) as SVG, in the embedded V8 of web/exports/svg.py, after
// vendor/echarts/echarts.min.js. Value labels follow web/charts/numbers.py as charts.js does on the page.
"use strict";

function formwork_numberFormat(format, lang) {
  const locale = lang === "en" ? "en" : "zh-CN";
  const options = { notation: "compact", maximumFractionDigits: 1 };
  if (format.kind === "money") Object.assign(options, { style: "currency", currency: format.currency || "CNY" });
  if (format.kind === "percent") Object.assign(options, { style: "percent", notation: "standard" });
  const intl = new Intl.NumberFormat(locale, options);
  return (value) => (typeof value === "number" ? intl.format(value) + (format.suffix || "") : value);
}

function formwork_pointText(p) {
  const data = p.data || {};
  if (Array.isArray(data.text)) return data.text.join(" · ");
  if (data.text !== undefined) return data.text;
  return p.value === undefined || p.value === null || Number.isNaN(p.value) ? "—" : String(p.value);
}

function formwork_svg(spec, width, height, geo) {
  const option = spec.option;
  const formats = spec.formats || {};
  for (const axis of ["xAxis", "yAxis"]) {
    (formats[axis] || []).forEach((format, i) => {
      const target = Array.isArray(option[axis]) ? option[axis][i] : i === 0 ? option[axis] : null;
      if (target) target.axisLabel = Object.assign({}, target.axisLabel, { formatter: formwork_numberFormat(format, spec.lang) });
    });
  }
  (formats.series || []).forEach((format, i) => {
    const series = option.series && option.series[i];
    if (series) series.axisLabel = Object.assign({}, series.axisLabel, { formatter: formwork_numberFormat(format, spec.lang) });
  });
  (formats.visualMap || []).forEach((format) => {
    if (option.visualMap) option.visualMap.formatter = formwork_numberFormat(format, spec.lang);
  });
  (option.series || []).forEach((series) => {
    if (series.label && series.label.show && !series.label.formatter) series.label.formatter = formwork_pointText;
  });
  if (spec.map && geo && !echarts.getMap(spec.map)) echarts.registerMap(spec.map, geo);
  if (option.grid && !Array.isArray(option.grid)) option.grid = Object.assign({ containLabel: true }, option.grid);
  option.animation = false;
  delete option.tooltip;
  if (option.legend) option.legend = Object.assign({}, option.legend, { type: "plain" });
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height,
                                           locale: spec.lang === "en" ? "EN" : "ZH" });
  try {
    chart.setOption(option);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
