"""A form's print templates: checked when the definition loads (ids unique, the HTML parses in the sandbox) and
rendered in Jinja2's sandbox (engine.templating) — admins write them, so they are not trusted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.definitions.model import FormDef, PrintTemplateDef
from engine.i18n import I18n, zh_en
from engine.templating import check_template, render

DEFAULT = "default"  # the id of the built-in print layout; a template may not take it


def problems(form: FormDef) -> list[tuple[str, I18n]]:
    """(pointer below the form, message) of each problem of the form's print templates."""
    found: list[tuple[str, I18n]] = []
    seen: set[str] = set()
    for i, template in enumerate(form.print_templates):
        if template.id == DEFAULT:
            found.append((f"/print_templates/{i}/id", zh_en("“default”是默认打印版式的名字,请换一个",
                                                            "'default' names the built-in print layout; choose another id")))
        elif template.id in seen:
            found.append((f"/print_templates/{i}/id", zh_en(f"打印模板“{template.id}”重复",
                                                            f"print template '{template.id}' appears twice")))
        seen.add(template.id)
        problem = check_template(template.html)
        if problem is not None:
            found.append((f"/print_templates/{i}/html", problem))
    return found


def render_print(template: PrintTemplateDef, context: Mapping[str, Any]) -> str:
    """The template's HTML for `context`, values escaped; TemplateProblem when it fails (an unknown filter, the
    sandbox refusing an attribute, a value of the wrong kind)."""
    return render(template.html, context, html=True)
