"""Typed, frozen definition objects: what the loader produces and every other part reads."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from engine.i18n import I18n

if TYPE_CHECKING:
    from engine.reports.dashboard import DashboardDef
    from engine.home.model import HomeDef
    from engine.reports.model import ReportDef

SYSTEM_COLUMNS = (
    "id", "created_at", "created_by", "updated_at", "updated_by", "owner_id", "department_id",
    "version", "deleted_at", "wf_state", "parent_id", "position",
)


@dataclass(frozen=True)
class Source:
    """Where a definition element was written: file, line (1-based) and JSON pointer."""

    file: str = ""
    line: int = 0
    pointer: str = ""


def frozen(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """A read-only view of a mapping, so definitions cannot be changed at run time."""
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class FieldDef:
    """One field of a form (or of a subform); type-specific settings live in `props`."""

    id: str
    type: str
    label: I18n
    required: bool = False
    unique: bool = False
    index: bool = False
    default: Any = None
    formula: str | None = None
    help: I18n | None = None
    props: Mapping[str, Any] = field(default_factory=lambda: frozen({}))
    fields: tuple[FieldDef, ...] = ()
    source: Source = Source()
    _memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def get(self, key: str, default: Any = None) -> Any:
        """A type-specific property, e.g. `field.get("options")`."""
        return self.props.get(key, default)

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """A value derived from this (immutable) definition, computed once."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def child(self, field_id: str) -> FieldDef | None:
        """A column of this subform by id."""
        return next((f for f in self.fields if f.id == field_id), None)


@dataclass(frozen=True)
class Rule:
    """A form rule: show/require/readonly fields when a formula holds, or check a formula."""

    kind: str  # show | require | readonly | check
    fields: tuple[str, ...] = ()
    when: str | None = None
    check: str | None = None
    message: I18n | None = None
    source: Source = Source()


@dataclass(frozen=True)
class Numbering:
    """The serial number (流水号) pattern of a serial field."""

    field: str
    pattern: str
    source: Source = Source()


LayoutRow = tuple[str, ...]


@dataclass(frozen=True)
class LayoutSection:
    """A titled group of layout rows."""

    label: I18n
    rows: tuple[LayoutRow, ...]

    def cells(self) -> Iterator[tuple[str, str]]:
        """(JSON pointer below the section, field id) of each field it places."""
        for r, row in enumerate(self.rows):
            for c, name in enumerate(row):
                yield f"/rows/{r}/{c}", name


@dataclass(frozen=True)
class LayoutTab:
    """A titled tab holding rows and sections; consecutive tabs of a layout form one tab strip."""

    label: I18n
    layout: tuple[LayoutRow | LayoutSection, ...]

    def cells(self) -> Iterator[tuple[str, str]]:
        """(JSON pointer below the tab, field id) of each field it places."""
        for pointer, name in layout_cells(self.layout):
            yield f"/layout{pointer}", name


LayoutItem = LayoutRow | LayoutSection | LayoutTab


def layout_cells(items: Iterable[LayoutItem]) -> Iterator[tuple[str, str]]:
    """(JSON pointer below the layout, field id) of every field a layout places, in reading order."""
    for i, item in enumerate(items):
        if isinstance(item, tuple):
            for c, name in enumerate(item):
                yield f"/{i}/{c}", name
        else:
            for pointer, name in item.cells():
                yield f"/{i}{pointer}", name


@dataclass(frozen=True)
class PublicDef:
    """A form's public share link (`public:`): anyone with `/f/{token}` fills the chosen fields, without signing in."""

    enabled: bool
    token: str
    fields: tuple[str, ...]
    title: I18n | None = None  # the page's heading (None: the form's name)
    intro: I18n | None = None  # a few words under the heading
    fixed: Mapping[str, Any] = field(default_factory=dict)  # values every record made through the link gets
    prefill: tuple[str, ...] = ()  # fields a URL parameter of the same name may pre-fill (`?campaign=…`)
    success: I18n | None = None  # the message after a post (when there is no redirect)
    redirect: str | None = None  # where the browser goes after a post (an http(s) URL)
    origins: tuple[str, ...] = ()  # sites whose pages may post JSON here (CORS)
    uploads: bool | tuple[str, ...] = False  # file and image fields the page may take: all (True) or these
    source: Source = Source()

    def allows_upload(self, field_id: str) -> bool:
        """Whether the link takes files for this field (`uploads: true`, or the field listed)."""
        return self.uploads is True or (isinstance(self.uploads, tuple) and field_id in self.uploads)


@dataclass(frozen=True)
class PrintTemplateDef:
    """One of a form's print templates (`print_templates:`): HTML with Jinja2 tags, rendered in the sandbox."""

    id: str
    label: I18n
    html: str
    source: Source = Source()


@dataclass(frozen=True)
class RecordLinkDef:
    """A per-record link (`record_links:`): a signed address bound to one record that lets an anonymous visitor
    fill chosen fields of that record (kind "update", a satisfaction survey) or create records of another form
    related to it (kind "create", feedback on a campaign)."""

    id: str
    kind: str  # "update" or "create" (engine.record_links.kinds)
    label: I18n
    fields: tuple[str, ...]  # what the visitor fills (of this form, or of `form` for "create")
    show: tuple[str, ...] = ()  # fields of this record shown, not filled (the ticket's title)
    form: str | None = None  # "create": the form whose records the link creates
    relation: str | None = None  # "create": its relation field pointing at this record (fixed by the link)
    fixed: Mapping[str, Any] = field(default_factory=dict)  # "create": values every created record gets
    once: bool = False  # the link takes one answer per record
    expires_days: int | None = None  # a link is good this many days after it was made (None: no end)
    title: I18n | None = None
    intro: I18n | None = None
    success: I18n | None = None
    source: Source = Source()


MAX_KEY_FIELDS = 4


@dataclass(frozen=True)
class KanbanDef:
    """A form's `kanban:` settings: the board's default grouping, the fields its cards show and the field each
    column sums (None: the form's first money field; "" for no sum)."""

    by: str | None = None
    card_fields: tuple[str, ...] | None = None  # None: the first money field, the owner and the first date field
    sum: str | None = None
    source: Source = Source()


@dataclass(frozen=True)
class FormDef:
    """A form: its fields, rules, numbering and layout; one database table."""

    id: str
    app: str
    label: I18n
    fields: tuple[FieldDef, ...]
    title: str | None = None
    description: I18n | None = None
    rules: tuple[Rule, ...] = ()
    numbering: tuple[Numbering, ...] = ()
    layout: tuple[LayoutItem, ...] = ()
    search: tuple[str, ...] = ()
    source: Source = Source()
    public: PublicDef | None = None
    print_templates: tuple[PrintTemplateDef, ...] = ()

    def print_template(self, template_id: str) -> PrintTemplateDef | None:
        """A print template by id."""
        return next((t for t in self.print_templates if t.id == template_id), None)
    record_links: tuple[RecordLinkDef, ...] = ()
    status: str | None = None  # the single-choice field a record page shows as the record's status tag
    key_fields: tuple[str, ...] = ()  # up to MAX_KEY_FIELDS fields a record page's header shows
    kanban: KanbanDef = KanbanDef()

    def record_link(self, link_id: str) -> RecordLinkDef | None:
        """A per-record link of the form by id."""
        return next((link for link in self.record_links if link.id == link_id), None)

    def status_field(self, pipeline_field: str | None = None) -> str | None:
        """The field a record page shows as the record's status: the declared `status`, else the field a stage
        pipeline runs on (`pipeline_field`), else none."""
        return self.status or pipeline_field

    @property
    def table(self) -> str:
        """The name of the form's table."""
        return f"f_{self.app}_{self.id}"

    def field(self, field_id: str) -> FieldDef | None:
        """A top-level field by id."""
        return next((f for f in self.fields if f.id == field_id), None)

    def field_ids(self) -> list[str]:
        return [f.id for f in self.fields]

    def numbering_for(self, field_id: str) -> Numbering | None:
        return next((n for n in self.numbering if n.field == field_id), None)

    def title_field(self) -> str:
        """The field shown as the record's title."""
        if self.title:
            return self.title
        for f in self.fields:
            if f.type in ("text", "serial"):
                return f.id
        return "id"


@dataclass(frozen=True)
class AppDef:
    """An app: a named group of forms shown together in the menu."""

    id: str
    label: I18n
    forms: tuple[str, ...]
    description: I18n | None = None
    icon: str | None = None
    color: str | None = None  # one of engine.definitions.palette.COLORS
    admins: tuple[str, ...] = ()  # role ids whose holders design this app (app administrators)
    source: Source = Source()


@dataclass(frozen=True)
class FormPermission:
    """What a role may do on one form."""

    operations: frozenset[str]
    scope: str = "own"  # own | department | department_tree | all | condition
    condition: str | None = None
    fields: Mapping[str, str] = field(default_factory=lambda: frozen({}))  # field id → hidden | read_only


@dataclass(frozen=True)
class RoleDef:
    """A role and its permissions per form."""

    id: str
    label: I18n
    permissions: Mapping[str, FormPermission]
    description: I18n | None = None
    source: Source = Source()


@dataclass(frozen=True)
class TemplateDef:
    """A template: a versioned bundle of apps installable from the gallery."""

    id: str
    version: str
    label: I18n
    apps: tuple[str, ...]
    description: I18n | None = None
    source: Source = Source()


@dataclass(frozen=True)
class TriggerDef:
    """When an automation runs: `on` (the document's trigger `type`: created, updated, deleted, schedule, date,
    webhook, workflow) and its options."""

    on: str
    props: Mapping[str, Any] = field(default_factory=lambda: frozen({}))
    source: Source = Source()

    def get(self, key: str, default: Any = None) -> Any:
        return self.props.get(key, default)


@dataclass(frozen=True)
class ActionDef:
    """One step of an automation: its id (for $steps.<id>), type and options."""

    id: str
    type: str
    props: Mapping[str, Any] = field(default_factory=lambda: frozen({}))
    source: Source = Source()

    def get(self, key: str, default: Any = None) -> Any:
        return self.props.get(key, default)


@dataclass(frozen=True)
class AutomationDef:
    """An automation (智能助手): a trigger on a form (or a schedule), a condition and ordered actions."""

    id: str
    label: I18n
    trigger: TriggerDef
    actions: tuple[ActionDef, ...]
    form: str | None = None
    condition: str | None = None
    enabled: bool = True
    description: I18n | None = None
    source: Source = Source()


@dataclass(frozen=True)
class AssigneeDef:
    """Who a workflow node's tasks go to. `kind` and its `value`:
    users (usernames, tuple) · role (role id) · department_head (a department key, or None for the record's
    department) · manager (levels above the submitter: 1 = the head of the submitter's department, 2 = the head of
    its parent…) · field (a user/users field id of the record, or owner_id) · previous (the previous node's actors;
    value None) · submitter (value None)."""

    kind: str
    value: Any = None
    source: Source = Source()


@dataclass(frozen=True)
class TimeoutDef:
    """What happens when a node's task stays open `hours` long: remind (again every `remind_every` hours when set),
    approve (auto-approve), reject, or escalate (a new task for `to`; the late one is closed)."""

    hours: float
    action: str = "remind"
    remind_every: float | None = None
    to: tuple[AssigneeDef, ...] = ()
    source: Source = Source()


@dataclass(frozen=True)
class BranchDef:
    """One way out of a condition node: taken when `when` (a formula over the record) holds; `when` None is the
    default branch, taken when no other holds."""

    next: str
    when: str | None = None
    label: I18n | None = None
    source: Source = Source()


WORKFLOW_ACTIONS = ("approve", "reject", "return", "transfer", "add_signer")


@dataclass(frozen=True)
class NodeDef:
    """A node of a workflow. `type`: start · approval · fill (a person completes fields) · cc · condition ·
    parallel (split into every `next`) · join (waits for every branch reaching it) · end.

    `fields` narrows the role's field access while the record is at this node (field id → editable | read_only |
    hidden; fields not named are read-only at approval/fill nodes, editable at the start node). `required` lists the
    fields that must have a value to pass the node. `actions` are the ones its assignees may take."""

    id: str
    type: str
    label: I18n
    next: tuple[str, ...] = ()
    branches: tuple[BranchDef, ...] = ()
    assignees: tuple[AssigneeDef, ...] = ()
    sign: str = "any"  # any (或签: the first to act decides) | all (会签: everyone must approve)
    fields: Mapping[str, str] = field(default_factory=lambda: frozen({}))
    required: tuple[str, ...] = ()
    actions: frozenset[str] = frozenset()
    reject_to: str | None = None  # None: back to the start node
    timeout: TimeoutDef | None = None
    auto_approve: tuple[str, ...] = ()  # submitter | repeated (already approved in this instance) | empty (no one)
    set_values: Mapping[str, Any] = field(default_factory=lambda: frozen({}))  # written when the flow enters the node
    source: Source = Source()


@dataclass(frozen=True)
class WorkflowDef:
    """An approval flow (流程表单) bound to a form: nodes joined by `next` edges, from one start to an end."""

    id: str
    label: I18n
    form: str
    nodes: tuple[NodeDef, ...]
    auto_start: bool = False  # start when a record is created (web, api, public form), else on "submit"
    enabled: bool = True
    description: I18n | None = None
    source: Source = Source()

    def node(self, node_id: str) -> NodeDef:
        """The node with this id; KeyError names the missing node."""
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(f"no node '{node_id}' in workflow '{self.id}'")

    def node_label(self, node_id: str) -> I18n:
        """A node's label; its id when this definition has no such node (an instance on an older version)."""
        return next((n.label for n in self.nodes if n.id == node_id), node_id)

    @property
    def start(self) -> NodeDef:
        return next(n for n in self.nodes if n.type == "start")


@dataclass(frozen=True)
class StageDef:
    """One stage of a pipeline: a select option of the pipeline's field, where it may go next (`to`, None = any
    stage), the fields that must have a value to enter it, its win probability (0–100) and after how many days a
    record sitting in it counts as stalled."""

    stage: str
    to: tuple[str, ...] | None = None
    require: tuple[str, ...] = ()
    probability: float | None = None
    stall_days: float | None = None
    source: Source = Source()


@dataclass(frozen=True)
class PipelineDef:
    """A stage pipeline (阶段流程) over a select field of a form: the stages in order with their transitions,
    entry requirements and probabilities; `probability_field` is kept in step with the stage when set."""

    id: str
    label: I18n
    form: str
    field: str
    stages: tuple[StageDef, ...]
    probability_field: str | None = None
    description: I18n | None = None
    source: Source = Source()

    def stage(self, value: str) -> StageDef | None:
        """The stage for an option value, if the pipeline has it."""
        return next((s for s in self.stages if s.stage == value), None)

    def next_stages(self, value: str | None) -> tuple[str, ...]:
        """The stages a record at `value` may move to (every other stage when unrestricted or not at a stage)."""
        current = self.stage(value) if value else None
        if current is None or current.to is None:
            return tuple(s.stage for s in self.stages if s.stage != value)
        return current.to


@dataclass(frozen=True)
class Definitions:
    """Everything defined in a workspace (or a template directory), checked and cross-referenced."""

    apps: tuple[AppDef, ...] = ()
    forms: Mapping[str, FormDef] = field(default_factory=lambda: frozen({}))
    roles: tuple[RoleDef, ...] = ()
    template: TemplateDef | None = None
    automations: Mapping[str, AutomationDef] = field(default_factory=lambda: frozen({}))
    workflows: Mapping[str, WorkflowDef] = field(default_factory=lambda: frozen({}))
    pipelines: Mapping[str, PipelineDef] = field(default_factory=lambda: frozen({}))
    reports: Mapping[str, ReportDef] = field(default_factory=lambda: frozen({}))
    dashboards: Mapping[str, DashboardDef] = field(default_factory=lambda: frozen({}))
    home: HomeDef | None = None  # the `home` document: what each role's home page shows

    def form(self, form_id: str) -> FormDef:
        """The form with this id; KeyError names the missing form."""
        try:
            return self.forms[form_id]
        except KeyError:
            raise KeyError(f"no form '{form_id}'") from None

    def workflow_of(self, form_id: str) -> WorkflowDef | None:
        """The enabled workflow bound to a form (at most one), if any."""
        return next((w for w in self.workflows.values() if w.form == form_id and w.enabled), None)

    def pipeline_of(self, form_id: str, field_id: str | None = None) -> PipelineDef | None:
        """The stage pipeline over a form's field (any of the form's, without `field_id`), if there is one."""
        return next((p for p in self.pipelines.values()
                     if p.form == form_id and (field_id is None or p.field == field_id)), None)

    def __iter__(self) -> Iterator[FormDef]:
        return iter(self.forms.values())
