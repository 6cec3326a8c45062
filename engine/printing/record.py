"""What a print of one record holds, read as the viewer may read it: the record (hidden fields already taken out by
the record service), the sections of the default layout without the fields hidden by field access or by the
record's show rules, the serial number and the approval history with its signatures.

    printed = print_record(ws, actor, "quote", 7)   # NotFound / PermissionDenied as for reading the record
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from engine.definitions.model import FormDef
from engine.errors import FormworkError
from engine.i18n import I18n
from engine.printing.layout import PrintSection, print_sections
from engine.records.model import Actor, Record
from engine.records.preview import hidden_by_rules
from engine.workflow.views import Step
from engine.workspace import Workspace

# The workflow steps an approval history prints: who submitted, decided or handed on; reminders, urging and copies
# are the flow's housekeeping, not its decisions.
APPROVAL_ACTIONS = frozenset({"submitted", "approved", "rejected", "returned", "transferred", "signer_added",
                              "withdrawn", "auto_approved", "cancelled", "completed"})


@dataclass(frozen=True)
class PrintRecord:
    """One record as printed: `hidden` are the fields left out (field access and show rules)."""

    form: FormDef
    record: Record
    sections: tuple[PrintSection, ...]
    hidden: frozenset[str]
    approvals: tuple[Step, ...]
    serial: str | None
    node_labels: Mapping[str, I18n] = field(default_factory=dict)  # the flow's steps by id (a "rejected to" names one)

    def shown(self, field_id: str) -> bool:
        """Whether the print may show the field."""
        return field_id not in self.hidden and self.form.field(field_id) is not None


def print_record(ws: Workspace, actor: Actor, form: FormDef, record_id: int) -> PrintRecord:
    """The print of a record as `actor` may read it (NotFound when they may not: no one learns it exists)."""
    record = ws.records.get(actor, form.id, record_id)
    hidden = frozenset(ws.records.guard(actor, form.id).access.hidden
                       | hidden_by_rules(ws.records, actor, form.id, record_id))
    steps = tuple(s for s in ws.workflows.steps(form.id, record_id) if s.action in APPROVAL_ACTIONS)
    serial = next((str(record.values[n.field]) for n in form.numbering
                   if n.field not in hidden and record.values.get(n.field)), None)
    return PrintRecord(form, record, tuple(print_sections(form, hidden)), hidden, steps, serial,
                       _node_labels(ws, actor, form, record_id) if steps else {})


def _node_labels(ws: Workspace, actor: Actor, form: FormDef, record_id: int) -> dict[str, I18n]:
    try:
        flow = ws.workflows.state(actor, form.id, record_id)
    except FormworkError:
        return {}
    return {n.id: n.label for n in flow.nodes} if flow is not None else {}
