"""Edit operations on a form's print templates (registered in edit_ops): put one (a new id adds it at the end, a
known id replaces it in place) or remove one. The HTML is written as a literal block (`html: |`), as a person
would write it, so the YAML in git reads as HTML."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from engine.definitions.edit_error import EditError
from engine.definitions.edit_ops import EditContext, operation, valid_id
from engine.definitions.yamldoc import DOCUMENT_KEYS, set_key, styled

MAX_HTML = 200_000  # as the form schema allows
TEMPLATE_KEYS = ("id", "label", "html")


@operation("set_print_template")
def set_print_template(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    template_id = op.get("id")
    valid_id(template_id, "print template")
    if template_id == "default":  # engine.printing.templates.DEFAULT: the built-in layout's name in print links
        raise EditError("'default' names the built-in print layout; choose another id",
                        "“default”是默认打印版式的名字,请换一个")
    label, html = op.get("label"), op.get("html")
    if not isinstance(label, Mapping) or not any(isinstance(v, str) and v.strip() for v in label.values()):
        raise EditError("a print template needs a name", "打印模板需要名称")
    if not isinstance(html, str) or not html.strip():
        raise EditError("a print template needs its HTML", "打印模板的 HTML 不能为空")
    if len(html) > MAX_HTML:
        raise EditError(f"the HTML is longer than {MAX_HTML:,} characters", f"HTML 超过 {MAX_HTML:,} 个字符")
    node = CommentedMap()
    node["id"] = template_id
    node["label"] = styled({k: str(v).strip() for k, v in label.items() if k in ("zh", "en") and str(v).strip()})
    node["html"] = LiteralScalarString(_block_text(html))
    templates = _templates(doc)
    index = next((i for i, t in enumerate(templates) if isinstance(t, Mapping) and t.get("id") == template_id), None)
    if index is None:
        templates.append(node)
    else:
        templates[index] = node


@operation("remove_print_template")
def remove_print_template(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    templates = _templates(doc)
    kept = [t for t in templates if not (isinstance(t, Mapping) and t.get("id") == op.get("id"))]
    if len(kept) == len(templates):
        raise EditError("there is no such print template; reload the page", "没有这个打印模板,请刷新页面")
    if kept:
        templates[:] = kept
    else:
        doc.pop("print_templates", None)


def _templates(doc: CommentedMap) -> CommentedSeq:
    found = doc.get("print_templates")
    if not isinstance(found, CommentedSeq):
        found = CommentedSeq()
        found.fa.set_block_style()
        set_key(doc, "print_templates", found, DOCUMENT_KEYS["form"])
    return found


def _block_text(html: str) -> str:
    """The HTML as a literal block holds it: one newline style, no trailing spaces (a block scalar cannot keep them
    on its last line), ending in one newline."""
    lines = html.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n") + "\n"
