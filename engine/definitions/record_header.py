"""Checks of what a form declares for its record page's header: the `status` field and the `key_fields`."""

from __future__ import annotations

from collections.abc import Iterator

from engine.definitions.model import MAX_KEY_FIELDS, FormDef
from engine.fields.registry import field_type
from engine.fields.types.choice import SingleChoice
from engine.i18n import I18n, zh_en


def header_problems(form: FormDef) -> Iterator[tuple[str, I18n]]:
    """(pointer, message) of each problem: an unknown field, a status that is not a single choice, too many key
    fields or one that holds rows (a subform does not fit in a header)."""
    ids = form.field_ids()
    if form.status:
        f = form.field(form.status)
        if f is None:
            yield "/status", zh_en(f"未知字段“{form.status}”", f"unknown field '{form.status}'")
        elif not isinstance(field_type(f.type), SingleChoice):
            yield "/status", zh_en(f"状态字段“{f.id}”须是单选字段(下拉或单选按钮)",
                                   f"the status field '{f.id}' must be a single choice (select or radio)")
    if len(form.key_fields) > MAX_KEY_FIELDS:
        yield "/key_fields", zh_en(f"关键字段最多 {MAX_KEY_FIELDS} 个", f"at most {MAX_KEY_FIELDS} key fields")
    for i, name in enumerate(form.key_fields):
        f = form.field(name)
        if f is None or name not in ids:
            yield f"/key_fields/{i}", zh_en(f"未知字段“{name}”", f"unknown field '{name}'")
        elif field_type(f.type).holds_rows or field_type(f.type).layout_only:
            yield f"/key_fields/{i}", zh_en(f"字段“{name}”不能作为关键字段(子表单或布局元素)",
                                           f"field '{name}' cannot be a key field (a subform or a layout element)")
