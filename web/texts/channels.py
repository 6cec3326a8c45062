"""Where a record change came from (the `via` of its history entry), as the record timeline names it."""

from __future__ import annotations

CHANNELS: dict[str, tuple[str, str]] = {
    "web": ("网页", "web"),
    "api": ("API", "API"),
    "import": ("导入", "import"),
    "sample_data": ("示例数据", "sample data"),
    "transfer": ("移交", "hand-over"),
    "rollup": ("汇总重算", "rollup recalculation"),
    "workflow": ("审批流程", "workflow"),
    "automation": ("自动化", "automation"),
    "public": ("公开表单", "public form"),
    "record_link": ("记录专属链接(匿名访客)", "record link (anonymous visitor)"),
    "email": ("邮件", "email"),
    "pipeline": ("阶段推进", "stage move"),
}
OTHER = ("其他途径", "another channel")  # a channel this table does not know yet: never its code

TEXTS: dict[str, dict[str, str]] = {f"via_{code}": {"zh": zh, "en": en} for code, (zh, en) in CHANNELS.items()}
TEXTS["via_other"] = {"zh": OTHER[0], "en": OTHER[1]}


def via_label(code: object, lang: str) -> str:
    """The channel's name in `lang` ("自动化", "automation"); an unknown channel reads "其他途径", not its code."""
    zh, en = CHANNELS.get(str(code), OTHER)
    return zh if lang == "zh" else en
