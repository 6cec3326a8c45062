"""UI texts (zh, en) of the designer's property panel, form settings, rules editor, formula editor and preview."""

from __future__ import annotations

# The name of every field key the property panel edits (schema keys of every field type and the common keys).
KEYS: dict[str, dict[str, str]] = {
    "id": {"zh": "字段编号", "en": "Field id"},
    "type": {"zh": "字段类型", "en": "Field type"},
    "label": {"zh": "名称", "en": "Label"},
    "help": {"zh": "提示文字", "en": "Help text"},
    "placeholder": {"zh": "占位文字", "en": "Placeholder"},
    "required": {"zh": "必填", "en": "Required"},
    "unique": {"zh": "不允许重复", "en": "No duplicates"},
    "index": {"zh": "建立索引(筛选和排序更快)", "en": "Index (faster filters and sorting)"},
    "default": {"zh": "默认值", "en": "Default value"},
    "formula": {"zh": "公式", "en": "Formula"},
    "options": {"zh": "选项", "en": "Options"},
    "allow_other": {"zh": "允许填写其他值", "en": "Allow other values"},
    "min_items": {"zh": "最少选择", "en": "Fewest choices"},
    "max_items": {"zh": "最多选择", "en": "Most choices"},
    "strict": {"zh": "只能选已有标签", "en": "Only the listed tags"},
    "min": {"zh": "最小值", "en": "Minimum"},
    "max": {"zh": "最大值", "en": "Maximum"},
    "decimals": {"zh": "小数位数", "en": "Decimal places"},
    "currency": {"zh": "币种(如 CNY)", "en": "Currency (e.g. CNY)"},
    "level": {"zh": "地址精度", "en": "Address detail"},
    "content": {"zh": "说明内容", "en": "Text shown"},
    "accept": {"zh": "允许的文件类型(每行一个,如 .pdf 或 image/*)", "en": "Allowed file types (one a line, e.g. .pdf or image/*)"},
    "max_size": {"zh": "单个文件上限(MB)", "en": "Largest file (MB)"},
    "max_files": {"zh": "最多文件数", "en": "Most files"},
    "result": {"zh": "结果类型", "en": "Result type"},
    "geolocate": {"zh": "允许自动定位", "en": "Offer the device's location"},
    "path": {"zh": "查询路径", "en": "Lookup path"},
    "region": {"zh": "电话号码地区", "en": "Phone number region"},
    "to": {"zh": "关联表单", "en": "Linked form"},
    "display": {"zh": "显示字段", "en": "Field shown"},
    "on_delete": {"zh": "被关联记录删除时", "en": "When the linked record is deleted"},
    "max_length": {"zh": "最多字数", "en": "Most characters"},
    "min_length": {"zh": "最少字数", "en": "Fewest characters"},
    "regex": {"zh": "格式(正则表达式)", "en": "Format (regular expression)"},
    "regex_message": {"zh": "格式不符时的提示", "en": "Message when the format does not match"},
    "source": {"zh": "汇总的表单", "en": "Form summed up"},
    "link": {"zh": "关联到本表单的字段", "en": "Its field linking here"},
    "aggregate": {"zh": "汇总方式", "en": "How values are combined"},
    "field": {"zh": "汇总的字段", "en": "Field combined"},
    "filter": {"zh": "只汇总满足条件的记录", "en": "Only records matching"},
    "fields": {"zh": "子表单的列", "en": "Columns of the subform"},
    "min_rows": {"zh": "最少行数", "en": "Fewest rows"},
    "max_rows": {"zh": "最多行数", "en": "Most rows"},
}

# Every value of an enum a field type's property schema offers, by key (a formula's result is a field type and
# takes that type's own name).
ENUMS: dict[str, dict[str, dict[str, str]]] = {
    "level": {"province": {"zh": "省", "en": "Province"}, "city": {"zh": "省市", "en": "Province and city"},
              "district": {"zh": "省市区", "en": "Province, city and district"},
              "detail": {"zh": "省市区和详细地址", "en": "Full address"}},
    "on_delete": {"restrict": {"zh": "不允许删除", "en": "Refuse the deletion"},
                  "set_null": {"zh": "清空关联", "en": "Clear the link"}},
    "aggregate": {"count": {"zh": "计数", "en": "Count"}, "sum": {"zh": "求和", "en": "Sum"},
                  "avg": {"zh": "平均值", "en": "Average"}, "min": {"zh": "最小值", "en": "Smallest"},
                  "max": {"zh": "最大值", "en": "Largest"}},
}

RULE_KINDS: dict[str, dict[str, str]] = {
    "show": {"zh": "条件显示", "en": "Show when"},
    "require": {"zh": "条件必填", "en": "Required when"},
    "readonly": {"zh": "条件只读", "en": "Read-only when"},
    "check": {"zh": "提交校验", "en": "Check on save"},
}

DEFAULT_MODES: dict[str, dict[str, str]] = {
    "": {"zh": "无", "en": "None"},
    "fixed": {"zh": "固定值", "en": "Fixed value"},
    "formula": {"zh": "公式", "en": "Formula"},
    "$me": {"zh": "当前用户", "en": "The current user"},
    "$my_department": {"zh": "当前用户的部门", "en": "The current user's department"},
    "$today": {"zh": "今天", "en": "Today"},
    "$now": {"zh": "现在", "en": "Now"},
    "from": {"zh": "关联记录的字段", "en": "From a related record"},
}

FORMULA_TYPES: dict[str, dict[str, str]] = {
    "text": {"zh": "文本", "en": "text"}, "number": {"zh": "数字", "en": "number"},
    "boolean": {"zh": "是/否", "en": "yes/no"}, "date": {"zh": "日期", "en": "date"},
    "datetime": {"zh": "日期时间", "en": "date and time"}, "any": {"zh": "任意值", "en": "any value"},
    "null": {"zh": "空值", "en": "empty"},
}

TEXTS: dict[str, dict[str, str]] = {
    "dp_zh": {"zh": "中文", "en": "Chinese"},
    "dp_en": {"zh": "英文", "en": "English"},
    "dp_saved": {"zh": "已保存到草稿", "en": "Saved to the draft"},
    "dp_panel_title": {"zh": "字段属性", "en": "Field properties"},
    "dp_column_of": {"zh": "子表单“{label}”的列", "en": "Column of the subform “{label}”"},
    "dp_back_to_subform": {"zh": "返回子表单", "en": "Back to the subform"},
    "dp_id_locked": {"zh": "已发布的字段编号不能修改", "en": "A published field's id cannot change"},
    "dp_type_change": {"zh": "更改类型会去掉新类型不用的设置;发布前会显示有多少数据能转换。",
                       "en": "Changing the type drops settings the new type does not take; the publish plan "
                             "shows how many values convert."},
    "dp_default_value": {"zh": "默认值", "en": "Default value"},
    "dp_default_from": {"zh": "关联字段", "en": "Relation field"},
    "dp_default_from_field": {"zh": "取其字段", "en": "Copy its field"},
    "dp_default_from_help": {"zh": "选好关联记录后自动填入，填写人仍可修改。",
                             "en": "Filled in when the related record is chosen; people may still change it."},
    "dp_not_set": {"zh": "(默认:{value})", "en": "(default: {value})"},
    "dp_unset": {"zh": "(未设置)", "en": "(not set)"},
    "dp_yes": {"zh": "是", "en": "Yes"},
    "dp_no": {"zh": "否", "en": "No"},
    "dp_today": {"zh": "今天", "en": "Today"},
    "dp_choose": {"zh": "请选择", "en": "Choose"},
    "dp_choose_form_first": {"zh": "请先选择表单", "en": "Choose the form first"},
    "dp_not_a_number": {"zh": "“{label}”必须是数字", "en": "“{label}” must be a number"},
    "dp_not_whole": {"zh": "“{label}”必须是整数", "en": "“{label}” must be a whole number"},
    "dp_too_small": {"zh": "“{label}”不能小于 {n}", "en": "“{label}” cannot be less than {n}"},
    "dp_too_big": {"zh": "“{label}”不能大于 {n}", "en": "“{label}” cannot be more than {n}"},
    "dp_bad_choice": {"zh": "“{label}”的取值无效", "en": "“{label}” has a value that is not offered"},
    "dp_bad_date": {"zh": "“{label}”必须是日期", "en": "“{label}” must be a date"},
    "dp_bad_default": {"zh": "默认值不是该字段能接受的值", "en": "The default is not a value this field takes"},
    "dp_default_from_pick": {"zh": "请选择关联字段以及要取用的字段", "en": "Choose the relation field and the field to copy"},
    "dp_stale": {"zh": "草稿在别处已经改变(撤销或另一个窗口),这里显示的是现在的样子,请再改一次。",
                 "en": "The draft changed elsewhere (an undo, another window); this is how it is now — make "
                       "your change again."},
    "dp_problems": {"zh": "草稿中的问题", "en": "Problems in the draft"},
    "dp_no_field": {"zh": "表单中没有这个字段", "en": "The form has no such field"},
    "dp_no_form": {"zh": "没有这个表单", "en": "There is no such form"},
    # options
    "dp_option_value": {"zh": "存储值", "en": "Stored value"},
    "dp_option_colour": {"zh": "颜色", "en": "Colour"},
    "dp_option_no_colour": {"zh": "无颜色", "en": "No colour"},
    "dp_option_default": {"zh": "默认", "en": "Default"},
    "dp_option_add": {"zh": "添加选项", "en": "Add an option"},
    "dp_option_remove": {"zh": "删除选项", "en": "Remove the option"},
    "dp_option_drag": {"zh": "拖动调整顺序", "en": "Drag to reorder"},
    "dp_option_paste": {"zh": "批量添加(每行一个选项)", "en": "Paste a list (one option a line)"},
    "dp_option_paste_add": {"zh": "添加这些选项", "en": "Add these options"},
    "dp_no_default_option": {"zh": "无默认选项", "en": "No default option"},
    # relations, lookups, rollups, subforms
    "dp_form_title_default": {"zh": "(标题字段)", "en": "(its title field)"},
    "dp_lookup_via": {"zh": "通过关联字段", "en": "Through the relation"},
    "dp_lookup_then": {"zh": "读取字段", "en": "Read the field"},
    "dp_lookup_no_relation": {"zh": "本表单还没有关联字段,请先添加一个“关联数据”字段。",
                              "en": "This form has no relation field yet: add a Relation field first."},
    "dp_rollup_no_link": {"zh": "所选表单没有关联到本表单的字段", "en": "The chosen form has no field linking here"},
    "dp_columns_add": {"zh": "添加列", "en": "Add a column"},
    "dp_columns_edit": {"zh": "编辑", "en": "Edit"},
    "dp_columns_remove": {"zh": "删除列", "en": "Remove the column"},
    "dp_columns_empty": {"zh": "还没有列", "en": "No columns yet"},
    # serial numbers
    "dp_serial_pattern": {"zh": "编号规则", "en": "Numbering pattern"},
    "dp_serial_parts": {"zh": "插入:", "en": "Insert:"},
    "dp_serial_year": {"zh": "年", "en": "Year"},
    "dp_serial_month": {"zh": "月", "en": "Month"},
    "dp_serial_day": {"zh": "日", "en": "Day"},
    "dp_serial_seq": {"zh": "流水号(3 位)", "en": "Counter (3 digits)"},
    "dp_serial_example": {"zh": "示例:", "en": "Example:"},
    "dp_serial_help": {"zh": "计数器在其前面的文字变化时重新从 1 开始(如每年、每月)。",
                       "en": "The counter starts again at 1 whenever the text before it changes (each year, "
                             "each month…)."},
    "dp_serial_none": {"zh": "还没有编号规则", "en": "No numbering pattern yet"},
    "dp_serial_bad": {"zh": "编号规则最多 120 个字符", "en": "A numbering pattern has at most 120 characters"},
    # formula editor
    "dp_formula_ok": {"zh": "公式正确,结果类型:{type}", "en": "The formula is valid; it gives {type}"},
    "dp_formula_error": {"zh": "第 {n} 个字符处有错误:", "en": "Error at character {n}:"},
    "dp_formula_error_nopos": {"zh": "公式有错误:", "en": "The formula has an error:"},
    "dp_formula_empty": {"zh": "输入公式,如 amount * 2", "en": "Type a formula, e.g. amount * 2"},
    "dp_formula_fields": {"zh": "字段", "en": "Fields"},
    "dp_formula_functions": {"zh": "函数", "en": "Functions"},
    "dp_formula_hint": {"zh": "输入字段编号或函数名会出现提示;↑↓ 选择,回车插入。",
                        "en": "Type a field id or a function name for suggestions; ↑↓ to choose, Enter to insert."},
    # settings
    "dp_settings": {"zh": "表单设置", "en": "Form settings"},
    "dp_form_label": {"zh": "表单名称", "en": "Form name"},
    "dp_form_description": {"zh": "表单说明", "en": "Description"},
    "dp_title_field": {"zh": "标题字段", "en": "Title field"},
    "dp_title_auto": {"zh": "(自动:第一个文本字段)", "en": "(automatic: the first text field)"},
    "dp_search_fields": {"zh": "快速搜索的字段", "en": "Fields quick search looks in"},
    "dp_search_auto": {"zh": "不选则搜索所有文本字段", "en": "None chosen: every text field is searched"},
    "dp_numbering": {"zh": "流水号规则", "en": "Serial numbering"},
    "dp_numbering_none": {"zh": "本表单没有流水号字段", "en": "This form has no serial number field"},
    # rules
    "dp_rules": {"zh": "表单规则", "en": "Form rules"},
    "dp_rules_empty": {"zh": "还没有规则。规则可以按条件显示、必填或锁定字段,或在提交时校验。",
                       "en": "No rules yet. Rules show, require or lock fields when a condition holds, or check "
                             "a record when it is saved."},
    "dp_rule_add": {"zh": "添加规则", "en": "Add a rule"},
    "dp_rule_kind": {"zh": "规则类型", "en": "Kind of rule"},
    "dp_rule_fields": {"zh": "作用的字段", "en": "Fields"},
    "dp_rule_fields_check": {"zh": "错误显示在这些字段", "en": "Show the error at"},
    "dp_rule_when": {"zh": "条件(留空表示总是)", "en": "Condition (empty: always)"},
    "dp_rule_check": {"zh": "必须成立的公式", "en": "Formula that must hold"},
    "dp_rule_message": {"zh": "校验失败时的提示", "en": "Message when the check fails"},
    "dp_rule_save": {"zh": "保存规则", "en": "Save the rule"},
    "dp_rule_remove": {"zh": "删除", "en": "Remove"},
    "dp_rule_up": {"zh": "上移", "en": "Move up"},
    "dp_rule_down": {"zh": "下移", "en": "Move down"},
    "dp_rule_n": {"zh": "规则 {n}", "en": "Rule {n}"},
    "dp_rule_needs_fields": {"zh": "请至少选择一个字段", "en": "Choose at least one field"},
    "dp_rule_needs_check": {"zh": "提交校验需要一个公式", "en": "A check needs a formula"},
    "dp_rule_bad_kind": {"zh": "未知的规则类型", "en": "Unknown kind of rule"},
    "dp_rule_bad_index": {"zh": "没有这条规则", "en": "There is no such rule"},
    # preview
    "dp_preview": {"zh": "预览", "en": "Preview"},
    "dp_preview_banner": {"zh": "草稿预览:这里填写的内容不会保存。",
                          "en": "Preview of the draft: nothing entered here is saved."},
    "dp_preview_desktop": {"zh": "电脑", "en": "Desktop"},
    "dp_preview_phone": {"zh": "手机", "en": "Phone"},
    "dp_preview_problems": {"zh": "草稿有问题,修正后才能预览:", "en": "The draft has problems; fix them to preview it:"},
    "dp_preview_back": {"zh": "返回设计", "en": "Back to the designer"},
    "dp_preview_disabled": {"zh": "预览中不能提交", "en": "Nothing can be saved in the preview"},
}


def translate(lang: str, key: str, **params: str | int) -> str:
    """The text for `key` in `lang`, with `{name}` parameters filled in."""
    entry = TEXTS.get(key) or KEYS.get(key)
    if entry is None:
        return key
    return entry.get(lang, entry["en"]).format(**params) if params else entry.get(lang, entry["en"])
