"""In-app notices about workflow tasks (new task, cc, urge, reminder, outcome), each in its reader's language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.automation.people import user_language
from engine.i18n import I18n, text
from engine.notifications import notify

TITLES: dict[str, dict[str, str]] = {
    "task": {"zh": "待办:{workflow} · {title}({node})", "en": "To do: {workflow} · {title} ({node})"},
    "resubmit": {"zh": "已退回给你:{workflow} · {title}", "en": "Sent back to you: {workflow} · {title}"},
    "cc": {"zh": "抄送:{workflow} · {title}", "en": "For your information: {workflow} · {title}"},
    "urge": {"zh": "催办:{workflow} · {title}({node})", "en": "Please act: {workflow} · {title} ({node})"},
    "remind": {"zh": "待办已超时:{workflow} · {title}({node})", "en": "Overdue: {workflow} · {title} ({node})"},
    "approved": {"zh": "已通过:{workflow} · {title}", "en": "Approved: {workflow} · {title}"},
}


def task_link(task_id: int) -> str:
    """Where a task is acted on."""
    return f"/inbox/tasks/{task_id}"


def send(flow: Any, user_ids: Iterable[int], what: str, *, node: I18n | None = None, link: str | None = None,
         body: str | None = None) -> int:
    """Notify users about the flow's record, in the flow's transaction; `link` goes into the notice's source."""
    default = str(getattr(flow.ws.settings, "language", None) or "zh")
    count = 0
    for user_id in dict.fromkeys(int(u) for u in user_ids):
        lang = user_language(flow.conn, user_id, default)
        title = TITLES[what][lang if lang in TITLES[what] else "en"].format(
            workflow=text(flow.wf.label, lang), title=flow.title, node=text(node, lang) if node else "")
        count += notify(flow.conn, [user_id], title=title, body=body, form=flow.form_id, record_id=flow.record_id,
                        source=link, now=flow.now)
    return count
