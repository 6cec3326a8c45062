"""Texts of the web interface in Chinese and English, and choosing the language of a request."""

from __future__ import annotations

from starlette.requests import Request

from engine.i18n import LANGUAGES

TEXTS: dict[str, dict[str, str]] = {
    "app_name": {"zh": "Formwork 低代码平台", "en": "Formwork"},
    "sign_in": {"zh": "登录", "en": "Sign in"},
    "sign_out": {"zh": "退出登录", "en": "Sign out"},
    "username": {"zh": "用户名", "en": "Username"},
    "password": {"zh": "密码", "en": "Password"},
    "bad_login": {"zh": "用户名或密码不正确", "en": "Wrong username or password"},
    "apps": {"zh": "我的应用", "en": "My apps"},
    "no_apps": {"zh": "还没有应用。管理员可运行 formwork template install crm 安装模板。",
                "en": "No apps yet. An admin can install one with: formwork template install crm"},
    "records": {"zh": "条记录", "en": "records"},
    "search": {"zh": "搜索", "en": "Search"},
    "search_placeholder": {"zh": "输入关键字搜索", "en": "Search…"},
    "next_page": {"zh": "下一页", "en": "Next page"},
    "first_page": {"zh": "第一页", "en": "First page"},
    "empty_list": {"zh": "暂无数据。", "en": "Nothing here yet."},
    "empty_search": {"zh": "没有符合条件的记录,试试其他关键字或清除筛选。",
                     "en": "No records match; try other words or clear the filters."},
    "clear": {"zh": "清除", "en": "Clear"},
    "history": {"zh": "变更记录", "en": "History"},
    "created": {"zh": "创建了记录", "en": "created the record"},
    "updated": {"zh": "修改了", "en": "changed"},
    "deleted": {"zh": "删除了记录", "en": "deleted the record"},
    "restored": {"zh": "恢复了记录", "en": "restored the record"},
    "back_to_list": {"zh": "返回列表", "en": "Back to the list"},
    "not_found": {"zh": "找不到该页面或记录", "en": "That page or record does not exist"},
    "forbidden": {"zh": "请求无效,请刷新页面后重试", "en": "The request was refused; reload the page and try again"},
    "language": {"zh": "English", "en": "中文"},
    "system": {"zh": "系统", "en": "System"},
    "bad_query": {"zh": "查询条件无效", "en": "The query is not valid"},
    "new": {"zh": "新建", "en": "New"},
    "delete": {"zh": "删除", "en": "Delete"},
    "confirm_delete": {"zh": "删除后可在回收站中恢复。", "en": "Deleted records can be restored from the recycle bin."},
    "recycle_bin": {"zh": "回收站", "en": "Recycle bin"},
    "empty_bin": {"zh": "回收站是空的。", "en": "The recycle bin is empty."},
    "restore": {"zh": "恢复", "en": "Restore"},
    "deleted_at": {"zh": "删除时间", "en": "Deleted at"},
    "restore_failed": {"zh": "无法恢复该记录", "en": "The record cannot be restored"},
    "edit": {"zh": "编辑", "en": "Edit"},
    "save": {"zh": "保存", "en": "Save"},
    "back": {"zh": "返回", "en": "Back"},
    "fix_errors": {"zh": "请修正标出的字段后再保存", "en": "Please correct the marked fields"},
    "conflict": {"zh": "保存失败:有人刚刚修改了这条记录。你的输入已保留;与已保存值不同的字段下方显示了对方的值,再次保存将以你的输入为准。",
                 "en": "Not saved: someone else just changed this record. Your input is kept; fields that differ show "
                       "the saved value below them. Saving again keeps your input."},
    "saved_value": {"zh": "已保存的值", "en": "Saved value"},
    "address_province": {"zh": "省", "en": "Province"},
    "address_city": {"zh": "市", "en": "City"},
    "address_district": {"zh": "区县", "en": "District"},
    "address_detail": {"zh": "详细地址", "en": "Street address"},
}


def choose_language(request: Request) -> str:
    """The session's language if chosen, else the browser's preference (zh-CN by default)."""
    chosen = request.session.get("lang") if "session" in request.scope else None
    if chosen in LANGUAGES:
        return str(chosen)
    header = request.headers.get("accept-language", "")
    for part in header.split(","):
        code = part.split(";")[0].strip().lower()
        if code.startswith("zh"):
            return "zh"
        if code.startswith("en"):
            return "en"
    return "zh"


def translator(lang: str):  # type: ignore[no-untyped-def]
    """A function giving the UI text for a key in `lang`."""
    def t(key: str) -> str:
        entry = TEXTS.get(key)
        return entry.get(lang, entry["en"]) if entry else key
    return t
