"""Texts of the typed condition value input and of the home admin's condition builder
(web/templates/_condition_value.html, _condition_rows.html)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "cv_no_value": {"zh": "无需填写值", "en": "No value needed"},
    "cv_choose": {"zh": "请选择", "en": "Choose…"},
    "cv_me": {"zh": "我(当前用户)", "en": "Me (the viewer)"},
    "cv_field": {"zh": "字段", "en": "Field"},
    "cv_op": {"zh": "条件", "en": "Condition"},
    "cv_conditions": {"zh": "条件(全部满足)", "en": "Conditions (all must hold)"},
    "cv_add": {"zh": "添加条件", "en": "Add a condition"},
    "cv_remove": {"zh": "删除此条件", "en": "Remove this condition"},
    "cv_pick_form": {"zh": "先选择表单，再添加条件。", "en": "Choose a form first, then add conditions."},
    "cv_none_yet": {"zh": "暂无条件：列出全部记录。", "en": "No conditions yet: every record is listed."},
    "cv_when": {"zh": "时间", "en": "When"},
    "cv_on": {"zh": "指定日期", "en": "A given date"},
    "cv_moment_today": {"zh": "今天(显示时)", "en": "Today (when shown)"},
    "cv_moment_now": {"zh": "此刻(显示时)", "en": "Now (when shown)"},
    "cv_edit": {"zh": "编辑条件", "en": "Edit the conditions"},
    "cv_save": {"zh": "保存条件", "en": "Save the conditions"},
    "cv_row": {"zh": "第 {n} 个条件", "en": "Condition {n}"},
    "cv_bad_row": {"zh": "第 {n} 个条件的字段或条件已不可用，请重新选择。",
                   "en": "Condition {n} names a field or condition that is not available; choose it again."},
}
