"""A posted form is read within limits; going past one is a 413 or 400 that says which limit, never a 500.

Starlette's parser raises its own error when a form has too many values, a value over the part size or a
broken multipart body. Read anywhere outside the routes (the CSRF check reads the form first), that error
escaped every handler and became a 500; `read_form` turns it into `FormRefused`, which `refusal` answers.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

MAX_FIELDS = 1_000  # values in one form (a batch action's ticked records included)
MAX_FILES = 20  # files in one multipart form
MAX_PART_BYTES = 1024 * 1024  # one value that is not a file

TEXTS = {
    "too_many_fields": (413, "提交的内容超过 1000 项,请分批提交(批量操作每次最多选择 1000 条记录)",
                        "The form sends more than 1,000 values; send it in parts (a batch action takes at most "
                        "1,000 records at a time)"),
    "too_many_files": (413, f"一次最多上传 {MAX_FILES} 个文件", f"Send at most {MAX_FILES} files at a time"),
    "value_too_large": (413, "有一项内容超过 1 MB,请缩短后再提交", "One value is larger than 1 MB; shorten it and send again"),
    "unreadable_form": (400, "表单格式有误,请刷新页面后重试", "The form could not be read; reload the page and try again"),
}


class FormRefused(Exception):
    """The posted form went past a limit or could not be parsed."""

    def __init__(self, code: str):
        self.code = code
        self.status, self.zh, self.en = TEXTS[code]
        super().__init__(self.en)


async def read_form(request: Request) -> FormData:
    """The request's form, parsed within the limits above (FormRefused otherwise)."""
    try:
        return await request.form(max_files=MAX_FILES, max_fields=MAX_FIELDS, max_part_size=MAX_PART_BYTES)
    except (MultiPartException, HTTPException) as exc:
        raise FormRefused(_code_of(str(getattr(exc, "detail", None) or getattr(exc, "message", "")))) from None
    except (UnicodeError, ValueError):  # a header or a name that is not text, a broken boundary
        raise FormRefused("unreadable_form") from None


def _code_of(detail: str) -> str:
    if detail.startswith("Too many fields"):
        return "too_many_fields"
    if detail.startswith("Too many files"):
        return "too_many_files"
    if detail.startswith(("Field exceeded", "Part exceeded")):
        return "value_too_large"
    return "unreadable_form"


async def refusal(request: Request, exc: Exception) -> Response:
    """The answer to a refused form: JSON for the API and for scripts, the error page for people."""
    assert isinstance(exc, FormRefused)
    if request.url.path.startswith("/api/") or request.headers.get("hx-request") or \
            "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"error": {"code": exc.code, "message": {"zh": exc.zh, "en": exc.en}}},
                            status_code=exc.status)
    from web.i18n import choose_language
    from web.render import page

    detail = exc.zh if choose_language(request) == "zh" else exc.en
    return await run_in_threadpool(page, request, "error.html", {"message": "form_refused", "detail": detail},
                                   exc.status)
