"""The Chinese reading of the OpenAPI document's English words, for /api/docs in Chinese.

The document itself (/api/openapi.json) stays English: it is the contract tools generate clients from. The reference
page shows it in the reader's language: form and field names from the definitions' labels, and every summary and
description through this table — an exact sentence, or a pattern for the sentences the generators fill in.
`tests/web/test_api_docs_page.py` fails on a sentence of the document that has no reading here."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

EXACT: dict[str, str] = {
    # the document and its security schemes
    "Records of every form. Authenticate with `Authorization: Bearer <token>` (a personal API token from Settings), "
    "or with the browser session plus the X-CSRF-Token header on unsafe requests. Errors are JSON: "
    "`{error: {code, message: {zh, en}, fields?}}`.":
        "每个表单的记录。认证方式:请求头 `Authorization: Bearer <token>`(在“设置”中创建的个人 API 令牌),"
        "或浏览器登录会话,会话发出的修改请求须带 X-CSRF-Token 请求头。错误以 JSON 返回:"
        "`{error: {code, message: {zh, en}, fields?}}`。",
    "A personal API token (fw_…), created on the Settings page. No CSRF token needed.":
        "个人 API 令牌(fw_…),在“设置”页创建,无需 CSRF 令牌。",
    "The browser session after signing in.": "登录后的浏览器会话。",
    "With the session cookie, unsafe requests (POST, PATCH, DELETE) carry the session's CSRF token.":
        "使用会话 Cookie 时,修改请求(POST、PATCH、DELETE)须带会话的 CSRF 令牌。",
    # errors
    "stable, machine-readable reason, e.g. invalid, conflict, not_found, bad_filter, token_expired":
        "稳定的机器可读原因,例如 `invalid`、`conflict`、`not_found`、`bad_filter`、`token_expired`",
    "per field path (e.g. items[2].quantity; '' for the record)": "按字段路径(如 `items[2].quantity`;`''` 指整条记录)",
    "the query is not valid (unknown field or operator, bad limit, cursor or flag; a field that cannot be grouped or "
    "measured, too many groups)":
        "查询参数无效(未知的字段或运算符,`limit`、游标或开关值有误;字段不能分组或统计,或分组过多)",
    "not signed in, or the API token is missing, invalid, expired or revoked": "未登录,或 API 令牌缺失、无效、过期或已吊销",
    "not allowed, or the CSRF token is missing (cookie sessions)": "无权操作,或缺少 CSRF 令牌(会话方式)",
    "no such form or record": "表单或记录不存在",
    "the record was changed by someone else: `current_version` says which version is stored":
        "记录已被他人修改:`current_version` 给出当前保存的版本",
    "the request body is too large (32 MB for a bulk call): send the records in parts":
        "请求体过大(批量调用上限 32 MB):请分批发送",
    "the body or its values are not valid: `fields` lists every problem by field (code batch_too_large: more than "
    "1,000 records in a bulk call)":
        "请求体或其中的值无效:`fields` 按字段列出所有问题(代码 batch_too_large:一次批量调用超过 1,000 条)",
    # list and export parameters
    "quick search over the form's text fields": "在表单的文本字段中快速搜索",
    "field ids to sort by, comma separated; a leading - sorts descending": "排序字段的标识,以逗号分隔;前加 - 为降序",
    "page size": "每页条数",
    "`next_cursor` of the previous page (same filters and sort)": "上一页返回的 `next_cursor`(筛选与排序须相同)",
    'JSON list of {"field", "op", "value"}, e.g. [{"field":"amount","op":"gt","value":"1000"}]; all must hold':
        '由 `{"field", "op", "value"}` 组成的 JSON 列表,例如 `[{"field":"amount","op":"gt","value":"1000"}]`;'
        "须全部满足",
    "1: also count the matching records; capped: count at most 10,000 (`total_exact` false when more match: a fast "
    "count for big lists)":
        "`1`:同时统计符合条件的记录数;`capped`:最多数到 10,000 条(更多时 `total_exact` 为 `false`,适合大列表的快速计数)",
    "false: `total` is the cap, more match": "`false`:`total` 为计数上限,实际符合的更多",
    "1: list the recycle bin": "`1`:列出回收站中的记录",
    "csv (UTF-8 with BOM) or xlsx; one column per field you may see. More records than the export_background_rows "
    "setting: 202 with {job, status}; GET status until it gives the download URL":
        "`csv`(带 BOM 的 UTF-8)或 `xlsx`;你可查看的每个字段一列。记录数超过 `export_background_rows` 设置时:"
        "返回 202 与 `{job, status}`,轮询 `status` 直到给出下载地址",
    "UTF-8 with a byte-order mark; a header row of field labels, then one row per record":
        "带字节顺序标记的 UTF-8;首行为字段名称,之后每条记录一行",
    "refuse (409) if the record's version is not this one": "记录的版本不是此值时拒绝(409)",
    # responses
    "a page": "一页记录",
    "created": "已创建",
    "the file (an attachment)": "文件(作为附件下载)",
    "more records than the export_background_rows setting: a background job; GET `status` (/api/v1/exports/{job}) "
    "until it gives `download`":
        "记录数超过 `export_background_rows` 设置:转为后台任务;轮询 `status`(`/api/v1/exports/{job}`)直到给出 "
        "`download`",
    "the record": "该记录",
    "updated": "已修改",
    "moved to the recycle bin": "已移入回收站",
    "restored": "已恢复",
    # bulk calls
    "a result per record": "每条记录一个结果",
    "the record's position in the request": "记录在请求中的位置(从 0 起)",
    "with a version conflict: the stored version": "版本冲突时:当前保存的版本",
    "per field path ('' for the record as a whole)": "按字段路径(`''` 指整条记录)",
    "the version you read; another is that record's conflict": "你读到的版本;不一致即该条记录冲突",
    "true: all or nothing. Any failure writes nothing and answers 422 with every failure in `fields`, keyed "
    "`[index].path`":
        "`true`:全部成功或全部不写。任何一条失败则不写入,返回 422,`fields` 以 `[index].path` 列出所有失败",
    # group-by and aggregate
    "Counts, sums, averages, minimums and maximums of the records you may read, grouped by up to 3 fields "
    "(`field=status&field=ordered_on:month`), computed by the report engine under your data scope; `filter` and `q` "
    "work as in the list. Each group gives every grouping's member (`value` and `label` in Chinese and English) and "
    "its measures; `totals` are over every record. More than 1,000 groups: 400 `too_many_groups` (narrow the filter "
    "or use a coarser date bucket). A field you may not see: 403 naming it.":
        "对你可读的记录计数、求和、求平均、最小值与最大值,最多按 3 个字段分组(`field=status&field=ordered_on:month`),"
        "由报表引擎在你的数据范围内计算;`filter` 与 `q` 的用法同列表。每个分组给出各分组字段的取值(`value`,以及中英文的 "
        "`label`)与统计值;`totals` 为全部记录的合计。分组超过 1,000 个:返回 400 `too_many_groups`(请缩小筛选范围或改用"
        "更粗的日期粒度)。使用你无权查看的字段:返回 403 并指出该字段。",
    "The measures over every record you may read under `filter` and `q` (your data scope applies). A field you may "
    "not see: 403 naming it.":
        "在 `filter` 与 `q` 条件下,对你可读的全部记录计算统计值(按你的数据范围)。使用你无权查看的字段:返回 403 并指出该字段。",
    "a field through a relation (client.grade), a date one with a bucket":
        "经关联字段取的字段(`client.grade`),日期字段可带粒度",
    "a number field through a relation (sum:client.revenue)": "经关联字段取的数字字段(`sum:client.revenue`)",
    "a decimal, as a string": "以字符串表示的小数",
    "what a list filter takes: an option's value, an id (user, department, record), a date bucket's first day "
    "(YYYY-MM-DD), the text; null for records with no value":
        "列表筛选所用的值:选项的值、ID(用户、部门、记录)、日期区间的第一天(YYYY-MM-DD)、文本;无值的记录为 `null`",
    "what a person reads (an option's label, a name, 2024 Q1…)": "给人看的名称(选项名称、姓名、2024 年第 1 季度…)",
    "an option's colour, when it has one": "选项的颜色(如有)",
    "by measure, as asked: counts and measures of whole numbers are integers, averages numbers, other sums, minimums "
    "and maximums decimal strings (null over no records)":
        "按请求的统计项:计数与整数字段的统计为整数,平均值为数字,其余求和、最小值、最大值为小数字符串(没有记录时为 `null`)",
    "count (the default), or sum:FIELD, avg:FIELD, min:FIELD, max:FIELD of a number field; repeat for several":
        "`count`(默认),或数字字段的 `sum:字段`、`avg:字段`、`min:字段`、`max:字段`;可重复以求多项",
    "the groups and the totals": "各分组与合计",
    "the measures": "统计值",
    "by grouping, as asked (status, ordered_on:month)": "按请求的分组字段(`status`、`ordered_on:month`)",
    "a field to group by, a date one optionally by day, week, month, quarter, year (ordered_on:month); repeat for "
    "several":
        "分组字段,日期字段可按 `day`、`week`、`month`、`quarter`、`year` 分组(`ordered_on:month`);可重复以多级分组",
    # workflow
    "A box of the caller's inbox, with the to-do and unread-cc counts": "调用者收件箱中的一个分类,附待办数与未读抄送数",
    "a page of the box": "该分类的一页",
    "only items of this form": "只看此表单的事项",
    "search the record titles": "搜索记录标题",
    "the instances' status": "流程实例的状态",
    "items to skip": "跳过的条数",
    "A to-do item: the record as its node shows it, the allowed actions, the flow and the steps":
        "一条待办:按所在节点显示的记录、可执行的操作、流程图与审批步骤",
    "the item": "该待办",
    "Act on a to-do item (the node says which actions it allows)": "处理一条待办(节点决定可执行哪些操作)",
    "what the action did": "操作的结果",
    "the fields editable at the node, as in a PATCH": "节点上可编辑的字段,格式同 PATCH",
    "a PNG as a data URL (data:image/png;base64,…)": "PNG 图片的 data URL(data:image/png;base64,…)",
    "status, nodes, the caller's task and the steps": "状态、节点、调用者的待办与审批步骤",
    "submit takes a comment and a signature, withdraw a comment, urge nothing": "提交(`submit`)可带意见与签名,撤回(`withdraw`)可带意见,催办(`urge`)无需内容",
    "withdrawn or urged": "已撤回或已催办",
    "submitted": "已提交",
    # field types
    "Assigned by the form's numbering.": "由表单的编号规则生成。",
    "Computed when the record is read.": "读取记录时计算。",
    "Set by the system.": "由系统设置。",
    "Phone number as entered.": "按输入保存的电话号码。",
    "UTC, ISO 8601 (e.g. 2024-03-05T06:30:00Z).": "UTC 时间,ISO 8601 格式(例如 2024-03-05T06:30:00Z)。",
    "Id of a department.": "部门的 ID。",
    "Id of a user.": "用户的 ID。",
    "Id of the row.": "子表行的 ID。",
    "Id of the stored file.": "已存文件的 ID。",
    "Original file name.": "原始文件名。",
    "Size in bytes.": "大小(字节)。",
    "MIME type.": "MIME 类型。",
    "Allowed extensions (.pdf) or MIME types (image/*).": "允许的扩展名(.pdf)或 MIME 类型(image/*)。",
}

# Sentences the generators fill in: (pattern of the English, Chinese with the pattern's groups as {1}, {2}…).
PATTERNS: list[tuple[re.Pattern[str], str]] = [(re.compile(p), zh) for p, zh in (
    (r"^Id of a '([\w-]+)' record\.$", "{form1}记录的 ID。"),
    (r"^Decimal number as a string with (\d+) decimal places(.*)\.$", "以字符串表示的小数,保留 {1} 位小数{2}。"),
    (r"^Up to ([\d,]+) records in one call and one transaction, through the same checks, defaults, formulas, serial "
     r"numbers, history and events as single writes\. Needs the (create|update) right and the import right\. By "
     r"default each record succeeds or fails on its own \(uniqueness is checked within the batch too\); the answer "
     r"has a result per record, in order\.$",
     "一次调用、一个事务最多 {1} 条记录,经过与单条写入相同的校验、默认值、公式、编号、历史与事件。需要{2}权限和导入权限。"
     "默认每条记录各自成功或失败(批次内也检查唯一性);按顺序为每条记录返回一个结果。"),
)]
# The bounds "Decimal number…" sentences add: ", min 0", ", max 100", ", in CNY".
BOUNDS: list[tuple[re.Pattern[str], str]] = [(re.compile(p), zh) for p, zh in (
    (r", min ([-\d.]+)", ",最小 {1}"), (r", max ([-\d.]+)", ",最大 {1}"), (r", in ([A-Z]{3})", ",币种 {1}"))]
RIGHTS = {"create": "新建", "update": "修改"}

# Summaries by the operation's verb (the start of its operationId); {form} is the form's name.
SUMMARIES: dict[str, str] = {
    "list": "查询{form}记录", "create": "新建一条{form}记录", "export": "导出{form}记录(CSV 或 Excel)",
    "get": "读取一条{form}记录", "update": "修改一条{form}记录", "delete": "将一条{form}记录移入回收站",
    "restore": "从回收站恢复一条{form}记录", "bulkCreate": "批量新建{form}记录(一次最多 {batch} 条)",
    "bulkUpdate": "批量修改{form}记录,各按其版本(一次最多 {batch} 条)",
    "groupBy": "将{form}记录分组并统计", "aggregate": "统计{form}记录",
    "getWorkflow": "{form}记录的流程", "runWorkflow": "提交、撤回或催办{form}记录的流程",
}


def zh_sentence(english: str, form_names: Mapping[str, str] | None = None) -> str | None:
    """The Chinese of one of the document's sentences; None when the table has no reading of it. `form_names`
    (form id → Chinese name) names the forms a sentence refers to by id."""
    if english in EXACT:
        return EXACT[english]
    for pattern, zh in PATTERNS:
        found = pattern.match(english)
        if found:
            groups = [RIGHTS.get(g, g) for g in found.groups()]
            if pattern is PATTERNS[1][0]:
                groups[1] = _bounds(groups[1])
            names = form_names or {}
            zh = re.sub(r"\{form(\d)\}", lambda m: names.get(groups[int(m.group(1)) - 1], f"“{groups[0]}”表单"), zh)
            return re.sub(r"\{(\d)\}", lambda m: groups[int(m.group(1)) - 1], zh)
    return None


def _bounds(english: str) -> str:
    out = english
    for pattern, zh in BOUNDS:
        out = pattern.sub(_filled(zh), out)
    return out


def _filled(zh: str) -> Callable[[re.Match[str]], str]:
    return lambda found: zh.replace("{1}", found.group(1))
