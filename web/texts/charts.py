"""UI texts (zh, en) of charts, tables, pivots and KPI cards drawn from a report's dataset."""

TEXTS: dict[str, dict[str, str]] = {
    "chart_total": {"zh": "合计", "en": "Total"},
    "chart_subtotal": {"zh": "{name} 小计", "en": "{name} subtotal"},
    "chart_others": {"zh": "其他", "en": "Others"},
    "chart_no_value": {"zh": "(空)", "en": "(No value)"},
    "chart_no_data": {"zh": "暂无数据", "en": "No data"},
    "chart_kpi_empty": {"zh": "本期无数据", "en": "No data this period"},
    "chart_target": {"zh": "目标", "en": "Target"},
    "chart_of_target": {"zh": "完成目标的 {percent}", "en": "{percent} of target"},
    "chart_previous": {"zh": "上期 {value}", "en": "Previous period {value}"},
    "chart_change_up": {"zh": "较上期增长 {percent}", "en": "Up {percent} on the previous period"},
    "chart_change_down": {"zh": "较上期下降 {percent}", "en": "Down {percent} on the previous period"},
    "chart_change_flat": {"zh": "与上期持平", "en": "Same as the previous period"},
    "chart_change_new": {"zh": "上期为零", "en": "Nothing in the previous period"},
    "chart_days": {"zh": "{n} 天", "en": "{n} d"},
    "chart_days_suffix": {"zh": " 天", "en": " d"},
    "chart_unfit": {"zh": "“{chart}”图表至少需要 {dimensions} 个维度和 {measures} 个指标",
                    "en": "A {chart} chart needs at least {dimensions} dimension(s) and {measures} measure(s)"},
    "chart_failed": {"zh": "图表无法显示,请刷新页面重试", "en": "The chart could not be drawn; reload the page"},
    "chart_drill": {"zh": "点击查看明细记录", "en": "Click to see the records"},
}


def chart_text(key: str, lang: str, **params: object) -> str:
    """The text `key` in `lang` (English when the language is unknown), with its placeholders filled."""
    entry = TEXTS[key]
    return entry.get(lang, entry["en"]).format(**params)
