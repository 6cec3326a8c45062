"""Search across forms: the records of every form an actor may read whose searched fields hold a term, a few per
form, each form's quick search under the actor's scope and field access (as its list would find them).

    for found in search_forms(ws.records, actor, ["client", "contact", "lead"], "华联"):
        print(found.form, [r.id for r in found.records], found.more)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.records.model import Actor, Query, Record
from engine.records.service import RecordService
from engine.records.terms import check_term

PER_FORM = 5


@dataclass(frozen=True)
class FormHits:
    """The first records of one form that hold the term; `more` when the form has others."""

    form: str
    records: list[Record]
    more: bool


def search_forms(records: RecordService, actor: Actor, forms: Iterable[str], term: str,
                 per_form: int = PER_FORM) -> list[FormHits]:
    """The forms (in the order given) where the actor may read records holding `term`; forms they may not read,
    or that search no field, are passed over. QueryInvalid for a term too long to search."""
    term = check_term(term.strip())
    if not term:
        return []
    found: list[FormHits] = []
    for form in dict.fromkeys(forms):
        if form not in records.runtimes.defs.forms or not records.runtime(form).search_fields:
            continue
        if not records.guard(actor, form).access.can("read"):
            continue
        page = records.list(actor, form, Query(search=term, limit=per_form, with_children=False))
        if page.records:
            found.append(FormHits(form, page.records, page.next_cursor is not None))
    return found
