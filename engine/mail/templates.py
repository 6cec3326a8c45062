"""Email templates admins keep (name, subject, HTML body): checked when saved, rendered in the sandbox."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine.mail.tables import email_templates
from engine.templating import TemplateProblem, check_template, render

NAME = re.compile(r"^[\w.\-]+( [\w.\-]+)*$")
MAX_NAME, MAX_SUBJECT, MAX_BODY = 80, 1000, 200_000
I18n = dict[str, str]


class TemplateInvalid(Exception):
    """A template was not saved; `errors` maps a field (name, subject, body) to its problem in zh and en."""

    def __init__(self, errors: Mapping[str, I18n]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v['en']}" for k, v in self.errors.items()))


def list_templates(conn: sa.Connection) -> list[dict[str, Any]]:
    """Every template, by name."""
    return [dict(r) for r in conn.execute(sa.select(email_templates).order_by(email_templates.c.name)).mappings()]


def get_template(conn: sa.Connection, template_id: int) -> dict[str, Any] | None:
    """One template by id, or None."""
    row = conn.execute(sa.select(email_templates).where(email_templates.c.id == template_id)).mappings().first()
    return dict(row) if row else None


def template_by_name(conn: sa.Connection, name: str) -> dict[str, Any] | None:
    """One template by name, or None."""
    row = conn.execute(sa.select(email_templates).where(email_templates.c.name == name)).mappings().first()
    return dict(row) if row else None


def _syntax(source: str) -> I18n | None:
    """A template's syntax error in zh and en, with its line."""
    return check_template(source)



def source_problems(subject: str, body: str) -> dict[str, I18n]:
    """The problems of a subject and a body as typed: empty, too long, or a syntax error (with its line)."""
    problems: dict[str, I18n] = {}
    for field, source, limit in (("subject", subject, MAX_SUBJECT), ("body", body, MAX_BODY)):
        if not source.strip():
            problems[field] = {"zh": "必填", "en": "Required"}
        elif len(source) > limit:
            problems[field] = {"zh": f"最多 {limit:,} 个字符", "en": f"At most {limit:,} characters"}
        elif (syntax := _syntax(source)) is not None:
            problems[field] = syntax
    return problems


def template_problems(conn: sa.Connection, template_id: int | None, name: str, subject: str,
                      body: str) -> dict[str, I18n]:
    """Every problem of a template as typed: a bad or taken name, an empty or broken subject or body."""
    problems: dict[str, I18n] = {}
    if not name or len(name) > MAX_NAME or not NAME.match(name):
        problems["name"] = {"zh": "名称必填,最多 80 个字符:字母、数字、汉字、_ . - 和单个空格",
                            "en": "A name is required: up to 80 letters, digits, _ . - and single spaces"}
    else:
        taken = template_by_name(conn, name)
        if taken is not None and taken["id"] != template_id:
            problems["name"] = {"zh": f"已有名为“{name}”的模板", "en": f"A template named '{name}' exists already"}
    return {**problems, **source_problems(subject, body)}


def save_template(conn: sa.Connection, template_id: int | None, *, name: str, subject: str, body: str,
                  now: datetime, actor_id: int | None) -> int:
    """Create (no id) or change a template and return its id; TemplateInvalid (nothing saved) on any problem."""
    name, subject = name.strip(), subject.strip()
    problems = template_problems(conn, template_id, name, subject, body)
    if problems:
        raise TemplateInvalid(problems)
    values = {"name": name, "subject": subject, "body": body, "updated_at": now, "updated_by": actor_id}
    if template_id is None:
        inserted = conn.execute(sa.insert(email_templates).values(**values).returning(email_templates.c.id))
        return int(inserted.scalar_one())
    changed = conn.execute(sa.update(email_templates).where(email_templates.c.id == template_id).values(**values))
    if not changed.rowcount:
        raise LookupError(f"no email template #{template_id}")
    return template_id


def delete_template(conn: sa.Connection, template_id: int) -> str | None:
    """Delete a template; its name, or None if there was none."""
    found = get_template(conn, template_id)
    if found is not None:
        conn.execute(sa.delete(email_templates).where(email_templates.c.id == template_id))
    return str(found["name"]) if found else None


def render_subject(source: str, context: Mapping[str, Any]) -> str:
    """A subject template's text for `context`, as one line of at most 250 characters."""
    return " ".join(render(source, context).split())[:250]


def render_body(source: str, context: Mapping[str, Any]) -> str:
    """A body template's HTML for `context` (values HTML-escaped)."""
    return render(source, context, html=True)


def render_parts(subject: str, body: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """(subject, html) of a template's sources for `context`; TemplateProblem on errors."""
    return render_subject(subject, context), render_body(body, context)


def render_stored_template(conn: sa.Connection, name: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """(subject, html) of the stored template `name`; LookupError if there is none, TemplateProblem on errors."""
    found = template_by_name(conn, name)
    if found is None:
        raise LookupError(f"no email template named '{name}'")
    return render_parts(str(found["subject"]), str(found["body"]), context)


__all__ = ["TemplateInvalid", "TemplateProblem", "delete_template", "get_template", "list_templates", "render_body",
           "render_parts", "render_stored_template", "render_subject", "save_template", "source_problems",
           "template_by_name", "template_problems"]
