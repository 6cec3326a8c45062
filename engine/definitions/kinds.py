"""The registry of document kinds: a kind names its schema, how its documents are built and placed, and its checks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Protocol

from engine.definitions.checker import Locate, Report
from engine.definitions.model import Definitions, Source, frozen
from engine.definitions.yamlsource import YamlDocument
from engine.errors import Problem
from engine.i18n import zh_en

KIND_ZH = {"form": "表单", "workflow": "流程", "automation": "自动化", "pipeline": "阶段流程", "app": "应用",
           "template": "模板", "roles": "角色", "report": "报表", "dashboard": "看板",
           "home": "首页"}  # how Chinese messages name a document kind

Check = Callable[[Definitions, Report], None]


@dataclass
class Assembly:
    """Definitions being assembled from documents: the objects placed so far (by Definitions attribute), what a
    kind keeps until every document is read, and the structural problems found."""

    slots: dict[str, Any] = field(default_factory=dict)
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def keyed(self, slot: str) -> dict[str, Any]:
        """The objects of a slot held by id (forms, workflows…)."""
        found: dict[str, Any] = self.slots.setdefault(slot, {})
        return found

    def listed(self, slot: str) -> list[Any]:
        """The objects of a slot held in order (roles, apps)."""
        found: list[Any] = self.slots.setdefault(slot, [])
        return found

    def kept(self, kind: str) -> dict[str, Any]:
        """What a kind keeps until every document is placed."""
        return self.pending.setdefault(kind, {})

    def definitions(self) -> Definitions:
        """The assembled Definitions (mappings frozen, lists as tuples)."""
        return Definitions(**{slot: _freeze(value) for slot, value in self.slots.items()})


Add = Callable[[Assembly, str, YamlDocument], None]
Finish = Callable[[Assembly], None]


@dataclass(frozen=True)
class Kind:
    """A document kind: its first key (`name`), the Definitions attribute it fills (`slot`), how one document is
    built and placed (`add`, given the document's relative path), what is done once every document is placed
    (`finish`) and the semantic checks run over the assembled Definitions (`checks`)."""

    name: str
    slot: str
    add: Add
    finish: Finish | None = None
    checks: tuple[Check, ...] = ()

    @property
    def schema_file(self) -> str:
        """The JSON Schema of the kind, in metadata/."""
        return f"{self.name}.schema.json"


_KINDS: dict[str, Kind] = {}


def register_kind(kind: Kind) -> Kind:
    """Make a document kind known by its name (the first key of its documents)."""
    if kind.name in _KINDS:
        raise ValueError(f"document kind '{kind.name}' is registered twice")
    _KINDS[kind.name] = kind
    return kind


def kinds() -> tuple[Kind, ...]:
    """Every registered kind, in registration order."""
    _load_builtins()
    return tuple(_KINDS.values())


def kind_names() -> tuple[str, ...]:
    """The names of every registered kind, in registration order."""
    return tuple(k.name for k in kinds())


def get_kind(name: str) -> Kind:
    """The kind called `name`; KeyError if there is none."""
    _load_builtins()
    return _KINDS[name]


def assemble(docs: Mapping[str, YamlDocument], kind_of: Callable[[Any], str | None]) -> tuple[Definitions, list[Problem]]:
    """Build and place every document by its kind, then let each kind finish; the structural problems found."""
    assembly = Assembly()
    for rel, doc in docs.items():
        name = kind_of(doc.data)
        if name is not None:
            get_kind(name).add(assembly, rel, doc)
    for kind in kinds():
        if kind.finish is not None:
            kind.finish(assembly)
    return assembly.definitions(), assembly.problems


def check(defs: Definitions, locate: Locate) -> list[Problem]:
    """Every semantic problem in the definitions, from each kind's checks."""
    report = Report(locate)
    for kind in kinds():
        for run in kind.checks:
            run(defs, report)
    return report.problems


class Named(Protocol):
    """A definition object held by id, with the place it was defined."""

    @property
    def id(self) -> str: ...

    @property
    def source(self) -> Source: ...


def place_by_id(assembly: Assembly, kind: str, slot: str, rel: str, item: Named, doc: YamlDocument,
                keep_misnamed: bool = False) -> bool:
    """Keep an object by its id unless the id is taken; its file must be named <id>.yaml (a misnamed one is still
    kept with `keep_misnamed`); True when kept."""
    found = assembly.keyed(slot)
    if item.id in found:
        zh_kind = KIND_ZH.get(kind, kind)
        assembly.problems.append(Problem(doc.file, doc.line(f"/{kind}"), f"/{kind}", zh_en(
            f"{zh_kind}编号“{item.id}”已被 {found[item.id].source.file} 使用",
            f"{kind} id '{item.id}' is also used by {found[item.id].source.file}")))
        return False
    if PurePosixPath(rel).stem != item.id:
        assembly.problems.append(Problem(doc.file, doc.line(f"/{kind}"), f"/{kind}", zh_en(
            f"{KIND_ZH.get(kind, kind)}“{item.id}”必须放在名为 {item.id}.yaml 的文件中",
            f"{kind} '{item.id}' must be in a file named {item.id}.yaml")))

        if not keep_misnamed:
            return False
    found[item.id] = item
    return True


def by_id(name: str, slot: str, build: Callable[[YamlDocument], Named], checks: tuple[Check, ...] = ()) -> Kind:
    """A kind whose documents each define one object kept by id, in a file named after it."""
    def add(assembly: Assembly, rel: str, doc: YamlDocument) -> None:
        place_by_id(assembly, name, slot, rel, build(doc), doc)
    return Kind(name, slot, add, checks=checks)


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return frozen(value)
    if isinstance(value, list):
        return tuple(value)
    return value


def _load_builtins() -> None:
    import engine.definitions.builtin_kinds  # noqa: F401  (registers the built-in kinds on import)

