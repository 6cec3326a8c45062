"""Why an import is refused before any row is read: one error class with a message in zh and en per reason."""

from __future__ import annotations

from typing import Any

from engine.errors import FormworkError
from engine.i18n import text, zh_en

REFUSALS: dict[str, dict[str, str]] = {
    "wrong_type": zh_en("文件不是 Excel(xlsx、xls)或 CSV 文件,请另存为其中一种格式后重新上传",
                        "The file is not an Excel (xlsx, xls) or CSV file; save it as one of these and upload it again"),
    "unreadable": zh_en("文件无法读取(可能已损坏或加了密码):{detail}",
                        "The file cannot be read (it may be damaged or password-protected): {detail}"),
    "empty": zh_en("文件是空的,没有可导入的内容", "The file is empty: there is nothing to import"),
    "header_only": zh_en("文件只有表头,没有数据行", "The file has a header row but no data rows"),
    "too_big": zh_en("文件有 {size} MB,超过了 {limit} MB 的上限;请拆分成几个文件分别导入",
                     "The file is {size} MB, over the {limit} MB limit; split it into several files"),
    "too_many_columns": zh_en("文件有 {count} 列,超过了 {limit} 列的上限;请删除不导入的列",
                              "The file has {count} columns, over the limit of {limit}; remove the columns you do "
                              "not import"),
    "duplicate_headers": zh_en("表头有重复的列名:{names};请给每一列一个不同的名字",
                               "The header names these columns more than once: {names}; give each column its own name"),
    "no_sheet": zh_en("文件中没有名为“{sheet}”的工作表;可选:{sheets}",
                      "The file has no sheet called '{sheet}'; its sheets are: {sheets}"),
    "no_columns": zh_en("没有一列对应到表单字段;请至少为一列选择字段",
                        "No column is mapped to a field of the form; choose a field for at least one column"),
    "unknown_field": zh_en("列“{column}”对应的字段“{field}”不存在或不能导入",
                           "Column '{column}' is mapped to '{field}', which does not exist or cannot be imported"),
    "field_twice": zh_en("字段“{field}”对应了多列:{columns};每个字段只能对应一列",
                         "Field '{field}' is mapped from several columns: {columns}; map each field from one column"),
    "unknown_column": zh_en("文件中没有列“{column}”", "The file has no column called '{column}'"),
    "bad_key": zh_en("判断重复的字段“{field}”没有对应到文件中的列;请选择一个已对应的字段",
                     "The duplicate key '{field}' is not mapped from a column of the file; choose a mapped field"),
    "bad_duplicate_rule": zh_en("重复处理方式应为 skip(跳过)、update(更新)或 create(新建),而不是“{value}”",
                                "The duplicate rule must be skip, update or create, not '{value}'"),
    "no_right": zh_en("你没有导入这个表单的权限(需要“导入”和“新建”权限);请联系表单管理员",
                      "You may not import into this form (it needs the import and create rights); ask the form's "
                      "administrator"),
    "no_right_update": zh_en("你没有用导入更新这个表单记录的权限(需要“导入”“新建”和“修改”权限);请改选“跳过”或联系表单管理员",
                             "You may not update this form's records by import (it needs the import, create and update "
                             "rights); choose skip instead, or ask the form's administrator"),
    "not_found": zh_en("找不到这次导入", "This import was not found"),
}


class ImportRefused(FormworkError):
    """An import that cannot start (or a file that cannot be read): `code` names the reason, `message(lang)` says
    it to the user with what to do. The web shows it as a 4xx page message, the CLI prints it."""

    def __init__(self, code: str, **params: Any):
        self.code, self.params = code, params
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh") -> str:
        template = text(REFUSALS.get(self.code, REFUSALS["unreadable"]), lang)
        return template.format(**{"detail": "", **self.params})
