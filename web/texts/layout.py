"""UI texts (zh, en) of form layouts: the tab strips of generated forms, record pages and workflow tasks."""

TEXTS: dict[str, dict[str, str]] = {
    "layout_tabs": {"zh": "表单分页", "en": "Parts of the form"},
    "layout_tab_has_errors": {"zh": "(有需要修正的字段)", "en": " (has fields to correct)"},
}
