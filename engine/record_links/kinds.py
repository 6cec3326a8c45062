"""The kinds of per-record link, one class each: "update" lets the visitor fill chosen fields of the record itself
(a survey written back to a ticket); "create" lets the visitor create records of another form whose relation
field points at the record (feedback on a campaign; the relation is fixed by the link, never chosen)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import sqlalchemy as sa

from engine.definitions.model import Definitions, FieldDef, FormDef, RecordLinkDef
from engine.errors import RecordInvalid
from engine.fields.registry import field_type
from engine.fields.screen import RECORD
from engine.i18n import I18n, zh_en
from engine.public_forms import _as_posted, may_be_public
from engine.record_links import VIA
from engine.records.model import Actor

if TYPE_CHECKING:
    from engine.workspace import Workspace

Problems = list[tuple[str, I18n]]
SYSTEM = Actor.system_actor()


class LinkKind(ABC):
    """What a kind of link fills, how it is checked and what an answer writes."""

    name: ClassVar[str] = ""

    @abstractmethod
    def target(self, defs: Definitions, form: FormDef, link: RecordLinkDef) -> FormDef | None:
        """The form whose fields the visitor fills (None when the definition names none that exists)."""

    @abstractmethod
    def problems(self, defs: Definitions, form: FormDef, link: RecordLinkDef) -> Problems:
        """(pointer below the link, message) of what is wrong with the kind's own keys."""

    @abstractmethod
    def write(self, ws: Workspace, conn: sa.Connection, form: FormDef, link: RecordLinkDef, record_id: int,
              values: Mapping[str, Any]) -> int:
        """Write an answer (posted values of the offered fields) in the caller's transaction; the id written."""


class UpdateRecord(LinkKind):
    """The visitor fills fields of the record the link is bound to."""

    name = "update"

    def target(self, defs: Definitions, form: FormDef, link: RecordLinkDef) -> FormDef | None:
        return form

    def problems(self, defs: Definitions, form: FormDef, link: RecordLinkDef) -> Problems:
        return [(f"/{key}", zh_en(f"“{key}”只用于 kind: create 的链接", f"'{key}' is only for links of kind create"))
                for key, given in (("form", link.form), ("relation", link.relation), ("fixed", link.fixed)) if given]

    def write(self, ws: Workspace, conn: sa.Connection, form: FormDef, link: RecordLinkDef, record_id: int,
              values: Mapping[str, Any]) -> int:
        rt = ws.records.runtime(form.id)
        version = conn.execute(sa.select(rt.main.c.version).where(rt.main.c.id == record_id)).scalar()
        ws.records.update(SYSTEM, form.id, record_id, values, version=int(version or 0), fmt="form", via=VIA,
                          conn=conn)
        return record_id


class CreateRelated(LinkKind):
    """The visitor creates a record of `form` whose `relation` field points at the record."""

    name = "create"

    def target(self, defs: Definitions, form: FormDef, link: RecordLinkDef) -> FormDef | None:
        return defs.forms.get(link.form or "")

    def problems(self, defs: Definitions, form: FormDef, link: RecordLinkDef) -> Problems:
        target = self.target(defs, form, link)
        if link.form is None:
            return [("", zh_en("kind: create 的链接须写明 form(要创建记录的表单)",
                               "a link of kind create names the form whose records it creates (form:)"))]
        if target is None:
            return [("/form", zh_en(f"未知表单“{link.form}”", f"unknown form '{link.form}'"))]
        relation = target.field(link.relation or "")
        found: Problems = []
        if not _points_at(relation, form.id):
            found.append(("/relation" if link.relation else "", zh_en(
                f"relation 须为表单“{target.id}”中指向“{form.id}”的单值关联字段",
                f"relation must be a field of form '{target.id}' relating one record of '{form.id}'")))
        for fid in link.fixed:
            if target.field(fid) is None:
                found.append((f"/fixed/{fid}", zh_en(f"表单“{target.id}”中没有字段“{fid}”",
                                                     f"form '{target.id}' has no field '{fid}'")))
        return found

    def write(self, ws: Workspace, conn: sa.Connection, form: FormDef, link: RecordLinkDef, record_id: int,
              values: Mapping[str, Any]) -> int:
        fixed = {k: _as_posted(v) for k, v in link.fixed.items()}
        raw = {**values, **fixed, str(link.relation): str(record_id)}
        try:
            created = ws.records.create_many(SYSTEM, str(link.form), [raw], fmt="form", via=VIA, conn=conn)
        except RecordInvalid as exc:  # one record: its problems keyed by field, as a page shows them
            raise RecordInvalid({key.removeprefix("[0]."): found for key, found in exc.errors.items()}) from None
        return created[0].id


def _points_at(f: FieldDef | None, form_id: str) -> bool:
    if f is None:
        return False
    ftype = field_type(f.type)
    reference = ftype.refers_to(f)
    return reference is not None and reference.kind == RECORD and reference.form == form_id and not ftype.many


KINDS: dict[str, LinkKind] = {kind.name: kind for kind in (UpdateRecord(), CreateRelated())}


def kind_of(link: RecordLinkDef) -> LinkKind:
    """The kind of a link (the schema allows only the registered names)."""
    return KINDS.get(link.kind, KINDS["update"])


def offered(defs: Definitions, form: FormDef, link: RecordLinkDef) -> list[FieldDef]:
    """The fields the link's page offers, in their form's order (fields a visitor may not fill are left out)."""
    target = kind_of(link).target(defs, form, link)
    if target is None:
        return []
    fixed = set(link.fixed) | ({link.relation} if link.relation else set())
    return [f for f in target.fields if f.id in link.fields and f.id not in fixed and may_be_public(f)]


def problems(defs: Definitions, form: FormDef) -> list[tuple[str, I18n]]:
    """(pointer below the form, message) of every problem of the form's `record_links`."""
    found: Problems = []
    seen: set[str] = set()
    for i, link in enumerate(form.record_links):
        at = f"/record_links/{i}"
        if link.id in seen:
            found.append((f"{at}/id", zh_en(f"链接 id“{link.id}”重复", f"link id '{link.id}' is used twice")))
        seen.add(link.id)
        kind = kind_of(link)
        found.extend((at + sub, message) for sub, message in kind.problems(defs, form, link))
        target = kind.target(defs, form, link)
        if target is not None:
            found.extend((f"{at}/fields/{n}", message) for n, message in _field_problems(target, link.fields))
        for n, fid in enumerate(link.show):
            shown = form.field(fid)
            if shown is None or field_type(shown.type).layout_only or field_type(shown.type).holds_rows:
                found.append((f"{at}/show/{n}", zh_en(f"字段“{fid}”不能在链接页面上显示(未知字段、布局元素或子表单)",
                                                      f"field '{fid}' cannot be shown on the link's page "
                                                      "(unknown, a layout element or a subform)")))
    return found


def _field_problems(target: FormDef, fields: tuple[str, ...]) -> list[tuple[int, I18n]]:
    found: list[tuple[int, I18n]] = []
    for n, fid in enumerate(fields):
        f = target.field(fid)
        if f is None:
            found.append((n, zh_en(f"表单“{target.id}”中没有字段“{fid}”", f"form '{target.id}' has no field '{fid}'")))
        elif not may_be_public(f):
            found.append((n, zh_en(
                f"字段“{fid}”不能由匿名访客填写(计算字段、关联、人员、部门、文件、签名、地址、位置和子表单都不能公开填写)",
                f"field '{fid}' cannot be filled by an anonymous visitor (computed fields, relations, users, "
                "departments, files, signatures, addresses, locations and subforms are not filled in publicly)")))
    return found
