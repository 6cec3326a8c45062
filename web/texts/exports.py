"""UI texts (zh, en) of report exports: PDF and workbook headings, file names and scheduled report mail."""

TEXTS: dict[str, dict[str, str]] = {
    "export_made": {"zh": "生成于 {time}", "en": "Made {time}"},
    "export_filters": {"zh": "筛选条件:{filters}", "en": "Filters: {filters}"},
    "export_no_filters": {"zh": "筛选条件:无(全部记录)", "en": "Filters: none (every record)"},
    "export_page": {"zh": "第 {page} 页,共 {pages} 页", "en": "Page {page} of {pages}"},
    "export_cannot_run": {"zh": "你不能运行这个报表:{reason}", "en": "You cannot run this report: {reason}"},
    "export_no_form_access": {"zh": "你没有读取其来源表单“{form}”的权限", "en": "you may not read its form '{form}'"},
    "export_hidden_field": {"zh": "它用到了对你隐藏的字段“{field}”", "en": "it uses the field '{field}', hidden from you"},
    "export_no_report": {"zh": "没有这个报表", "en": "There is no such report"},
    "export_schedule_subject": {"zh": "{title} · {period}", "en": "{title} · {period}"},
    "export_schedule_intro": {"zh": "这是“{title}”的定时报表,数据截至 {time}。完整报表见附件 PDF。",
                              "en": "This is the scheduled report '{title}', with data as of {time}. The full report "
                                    "is in the attached PDF."},
    "export_schedule_rows": {"zh": "前 {n} 行", "en": "Top {n} rows"},
    "export_schedule_totals": {"zh": "合计", "en": "Totals"},
    "export_no_board": {"zh": "没有这个仪表盘,或此报表不在其中", "en": "There is no such dashboard, or this report is not on it"},
    "export_board_intro": {"zh": "这是仪表盘“{title}”的定时发送,数据截至 {time}。完整内容见附件 PDF。",
                           "en": "This is the scheduled dashboard '{title}', with data as of {time}. The full "
                                 "dashboard is in the attached PDF."},
    "export_schedule_scope": {"zh": "数据范围:按“{name}”的权限运行。", "en": "Data scope: run as {name}."},
}


def export_text(key: str, lang: str, **params: object) -> str:
    """The text `key` in `lang` (English when the language is unknown), with its placeholders filled."""
    entry = TEXTS[key]
    return entry.get(lang, entry["en"]).format(**params)
