"""Bilingual texts: i18n maps ({zh: …, en: …}) and the engine's message catalogue."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Union

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

I18n = Union[str, Mapping[str, str]]


def text(value: I18n | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """Pick the text for `lang` from a plain string or an i18n map, falling back sensibly."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    for candidate in (lang, DEFAULT_LANGUAGE, "en"):
        if candidate in value:
            return value[candidate]
    return next(iter(value.values()), "")


def zh_en(zh: str, en: str) -> dict[str, str]:
    """A message written in both languages where it is made, its one source (Problem, FormulaError…)."""
    return {"zh": zh, "en": en}


def both(value: I18n | None) -> dict[str, str]:
    """Return a full {zh, en} map for a text, copying a plain string to both languages."""
    return {lang: text(value, lang) for lang in LANGUAGES}


# Messages the engine gives to users, by code. `{name}` placeholders are filled from the error's params.
MESSAGES: dict[str, dict[str, str]] = {
    "required": {"zh": "{label}为必填项", "en": "{label} is required"},
    "required_when": {"zh": "{message}", "en": "{message}"},  # a require rule's own message
    "invalid_type": {"zh": "{label}的值无效:应为{expected}", "en": "{label} must be {expected}"},
    "too_small": {"zh": "{label}不能小于 {min}", "en": "{label} must be at least {min}"},
    "too_large": {"zh": "{label}不能大于 {max}", "en": "{label} must be at most {max}"},
    "too_short": {"zh": "{label}至少 {min} 个字符", "en": "{label} needs at least {min} characters"},
    "too_long": {"zh": "{label}最多 {max} 个字符", "en": "{label} allows at most {max} characters"},
    "too_few": {"zh": "{label}至少选择 {min} 项", "en": "{label} needs at least {min} items"},
    "too_many": {"zh": "{label}最多 {max} 项", "en": "{label} allows at most {max} items"},
    "bad_option": {"zh": "{label}没有选项“{value}”", "en": "{label} has no option '{value}'"},
    "bad_timezone": {"zh": "“{value}”不是已知的时区,请使用 IANA 名称,如 Asia/Shanghai",
                     "en": "'{value}' is not a known time zone; use an IANA name such as Asia/Shanghai"},
    "bad_format": {"zh": "{label}格式不正确:{expected}", "en": "{label} is not a valid {expected}"},
    "not_unique": {"zh": "{label}“{value}”已存在", "en": "{label} '{value}' already exists"},
    "not_found": {"zh": "{label}引用的记录不存在:{value}", "en": "{label} refers to a missing record: {value}"},
    "no_match": {"zh": "{label}找不到“{value}”(按名称、标题或编号查找)",
                 "en": "{label}: nothing called '{value}' was found (looked up by name, title or serial number)"},
    "several_match": {"zh": "{label}“{value}”对应多个,请改用编号(如 #12)或唯一的名称",
                      "en": "{label}: '{value}' matches several; use its id (such as #12) or a unique name"},
    "cell_too_long": {"zh": "{label}的内容有 {length} 个字符,超过了 {max} 个字符的上限",
                      "en": "{label} holds {length} characters, over the limit of {max}"},
    "duplicate_in_file": {"zh": "{label}“{value}”在文件第 {row} 行已出现过,本行未导入",
                          "en": "{label} '{value}' already appears in row {row} of the file; this row was not imported"},
    "duplicate_skipped": {"zh": "{label}“{value}”已存在,按设置跳过",
                          "en": "{label} '{value}' already exists; skipped as chosen"},
    "read_only": {"zh": "{label}是计算字段,不能直接修改", "en": "{label} is computed and cannot be set"},
    "cannot_disable_self": {"zh": "不能停用自己的账号", "en": "you cannot disable your own account"},
    "last_admin": {"zh": "这是最后一个启用的管理员,不能停用", "en": "this is the last active administrator"},
    "cannot_demote_self": {"zh": "不能取消自己的管理员权限", "en": "you cannot remove your own administrator rights"},
    "last_admin_rights": {"zh": "这是最后一个启用的管理员,必须保留管理员权限",
                          "en": "this is the last active administrator; they keep administrator rights"},
    "department_cycle": {"zh": "部门不能移到自己或自己的下级部门之下",
                         "en": "a department cannot move under itself or one of its sub-departments"},
    "department_not_empty": {"zh": "部门还有 {children} 个下级部门和 {members} 名成员,不能删除",
                             "en": "the department still has {children} sub-departments and {members} members"},
    "control_characters": {"zh": "{label}含有不可见的控制字符,请删除后重试",
                           "en": "{label} contains invisible control characters; remove them"},
    "same_user": {"zh": "移交人和接收人不能是同一个用户", "en": "the records cannot be handed to the same user"},
    "no_such_user": {"zh": "没有编号为 {value} 的用户", "en": "there is no user with id {value}"},
    "read_only_for_you": {"zh": "{label}对你是只读的", "en": "{label} is read-only for you"},
    "unknown_field": {"zh": "表单中没有字段“{value}”", "en": "the form has no field '{value}'"},
    "check_failed": {"zh": "{message}", "en": "{message}"},
    "formula_error": {"zh": "{label}的公式无法计算:{message}", "en": "{label} could not be computed: {message}"},
    "conflict": {
        "zh": "记录已被他人修改(当前版本 {actual},你的版本 {expected}),请刷新后重试",
        "en": "the record was changed by someone else (now version {actual}, yours {expected}); reload and retry",
    },
    "record_not_found": {"zh": "{form}中没有编号为 {id} 的记录", "en": "{form} has no record {id}"},
    "not_deleted": {"zh": "记录不在回收站中", "en": "the record is not in the recycle bin"},
    "bad_filter": {"zh": "筛选条件无效:{message}", "en": "invalid filter: {message}"},
    "bad_sort": {"zh": "排序字段无效:{value}", "en": "cannot sort by '{value}'"},
    "bad_cursor": {"zh": "这个分页链接已失效,请回到第一页",
                   "en": "this page link is no longer valid; go back to the first page"},
    "term_too_long": {"zh": "搜索或“包含”的内容有 {length} 个字符,最多 {max} 个,请缩短后再试",
                      "en": "the search or 'contains' term has {length} characters; at most {max} are allowed: "
                            "shorten it"},
    "permission_denied": {"zh": "没有权限:{action}", "en": "not allowed: {action}"},
    # stage pipelines
    "stage_not_allowed": {"zh": "{label}不能从“{from}”改为“{to}”,只能改为:{allowed}",
                          "en": "{label} cannot move from '{from}' to '{to}'; allowed: {allowed}"},
    "stage_final": {"zh": "{label}“{from}”是最终阶段,不能再改为“{to}”",
                    "en": "{label} '{from}' is a final stage; it cannot move to '{to}'"},
    "stage_requires": {"zh": "进入“{stage}”前须填写{label}", "en": "{label} is required to enter '{stage}'"},
    # uploads (file, image, signature fields)
    "file_empty": {"zh": "{label}:文件是空的", "en": "{label}: the file is empty"},
    "file_not_found": {"zh": "{label}:没有这个文件,请重新上传", "en": "{label}: there is no such file; upload it again"},
    "file_too_large": {"zh": "{label}:文件超过 {max} 的上限", "en": "{label}: the file is larger than {max}"},
    "file_type_not_allowed": {"zh": "{label}:不支持此文件类型,允许 {allowed}",
                              "en": "{label}: this type of file is not allowed; allowed: {allowed}"},
    # account and API tokens
    "weak_password": {"zh": "密码需 {min}–{max} 个字符,且同时包含字母和数字或符号",
                      "en": "the password needs {min}–{max} characters, with letters and digits or symbols"},
    "password_is_username": {"zh": "密码不能与用户名相同", "en": "the password cannot be the username"},
    "password_unchanged": {"zh": "新密码不能与当前密码相同", "en": "the new password must differ from the current one"},
    "password_mismatch": {"zh": "两次输入的新密码不一致", "en": "the two new passwords do not match"},
    "wrong_password": {"zh": "当前密码不正确", "en": "the current password is wrong"},
    "expiry_in_past": {"zh": "{label}必须晚于现在", "en": "{label} must be in the future"},
    "too_many_tokens": {"zh": "令牌最多 {max} 个,请先撤销不用的令牌",
                        "en": "at most {max} tokens; revoke one you no longer use"},
    "token_invalid": {"zh": "API 令牌无效", "en": "the API token is not valid"},
    "token_expired": {"zh": "API 令牌已过期", "en": "the API token has expired"},
    "token_revoked": {"zh": "API 令牌已被撤销", "en": "the API token was revoked"},
    "user_disabled": {"zh": "该用户已被停用", "en": "the user is disabled"},
    # API query parameters
    "bad_limit": {"zh": "limit 应为 1 到 {max} 之间的整数", "en": "limit must be a whole number from 1 to {max}"},
    "bad_flag": {"zh": "参数 {label} 只能是 0 或 1", "en": "{label} must be 0 or 1"},
    "bad_text": {"zh": "参数 {label} 含有不允许的字符", "en": "{label} contains characters that are not allowed"},
    # group-by and aggregate API
    "group_unknown_field": {"zh": "表单中没有字段“{value}”", "en": "the form has no field '{value}'"},
    "group_field_hidden": {"zh": "你无权查看字段“{value}”,不能按它分组或汇总",
                           "en": "you may not see the field '{value}': it cannot be grouped or measured"},
    "not_groupable": {"zh": "不能按“{value}”分组:它不是每条记录一个值",
                      "en": "cannot group by '{value}': it does not hold one value per record"},
    "bad_bucket": {"zh": "“{value}”不是日期分组方式,可用:{allowed}",
                   "en": "'{value}' is not a date bucket; use one of {allowed}"},
    "not_bucketable": {"zh": "“{value}”不是日期字段,不能按日期分组", "en": "'{value}' is not a date: it cannot be "
                                                                    "grouped by day, week, month, quarter or year"},
    "bad_measure": {"zh": "指标“{value}”无效,应写作 count,或 sum:字段、avg:字段、min:字段、max:字段",
                    "en": "the measure '{value}' is not valid: write count, or sum:FIELD, avg:FIELD, min:FIELD or "
                          "max:FIELD"},
    "not_measurable": {"zh": "不能对“{value}”取 {aggregate}:它不是数字字段",
                       "en": "cannot take the {aggregate} of '{value}': it is not a number field"},
    "too_many_params": {"zh": "参数 {label} 最多 {max} 个", "en": "at most {max} values of {label}"},
    "missing_param": {"zh": "缺少参数 {label}", "en": "the parameter {label} is required"},
    "too_many_groups": {"zh": "分组超过 {max} 个,请加筛选条件,或按更粗的日期粒度分组",
                        "en": "the records fall into more than {max} groups: narrow the filter or group dates by a "
                              "coarser bucket"},
    # bulk API
    "batch_too_large": {"zh": "一次最多写入 {max} 条记录,这批有 {count} 条,请分批发送",
                        "en": "a batch holds at most {max} records; this one has {count}: send it in parts"},
    # export
    "export_too_large": {"zh": "符合条件的记录有 {count} 条,一次最多导出 {max} 条,请先加筛选条件缩小范围",
                         "en": "{count} records match; at most {max} can be exported at once, so narrow the filters"},
    "bad_export_format": {"zh": "导出格式只能是 {allowed}", "en": "the export format must be one of {allowed}"},
}


def message(code: str, lang: str, params: Mapping[str, Any] | None = None) -> str:
    """Render the catalogue message `code` in `lang`, filling `{placeholders}` from params."""
    template = MESSAGES.get(code, {}).get(lang) or MESSAGES.get(code, {}).get("en") or code
    values = _Params({k: text(v, lang) if isinstance(v, Mapping) else v for k, v in (params or {}).items()})
    return template.format_map(values)


class _Params(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
