"""UI texts (zh, en) of the page shell: the header's buttons and user menu, the apps sidebar and the search across
forms."""

TEXTS: dict[str, dict[str, str]] = {
    "shell_menu": {"zh": "显示或隐藏应用菜单", "en": "Show or hide the apps menu"},
    "shell_apps": {"zh": "应用", "en": "Apps"},
    "shell_forms": {"zh": "表单", "en": "Forms"},
    "shell_user_menu": {"zh": "{name} 的菜单", "en": "Menu of {name}"},
    "shell_switch_language": {"zh": "Switch to English", "en": "切换到中文"},
    "shell_close_menu": {"zh": "关闭菜单", "en": "Close the menu"},
    "everywhere": {"zh": "搜索", "en": "Search"},
    "everywhere_placeholder": {"zh": "搜索记录", "en": "Search records"},
    "everywhere_title": {"zh": "搜索“{q}”", "en": "Search for “{q}”"},
    "everywhere_prompt": {"zh": "输入名称、编号、电话等关键字，在你能查看的所有表单中查找记录。",
                      "en": "Type a name, number, phone or other words to find records in every form you may read."},
    "everywhere_nothing": {"zh": "没有找到包含“{q}”的记录。", "en": "No record contains “{q}”."},
    "everywhere_found": {"zh": "在 {forms} 个表单中找到记录", "en": "Records found in {forms} forms"},
    "everywhere_more": {"zh": "在“{form}”中查看全部结果", "en": "See every result in “{form}”"},
    "everywhere_bad_term": {"zh": "搜索词无法使用：{reason}", "en": "This search cannot be used: {reason}"},
}
