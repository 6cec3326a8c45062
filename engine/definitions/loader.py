"""Load a set of definition documents (a directory or stored texts), validate them and build Definitions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from engine.definitions.builder import build_workflow
from engine.definitions.checker import Report
from engine.definitions.kinds import assemble, check, kind_names
from engine.definitions.model import Definitions, WorkflowDef
from engine.definitions.schemas import kind_of, schema_problems
from engine.definitions.workflow_checks import check_workflow_graph
from engine.definitions.suggest import closest
from engine.definitions.yamlsource import YamlDocument, YamlSyntaxError, parse_yaml, read_bounded
from engine.errors import DefinitionError, Problem
from engine.i18n import text, zh_en

DATA_FILES = {"sample_data.yaml"}


@dataclass
class LoadResult:
    """Definitions built from documents, and every problem found on the way."""

    definitions: Definitions
    problems: list[Problem] = field(default_factory=list)
    documents: dict[str, YamlDocument] = field(default_factory=dict)

    def raise_for_problems(self) -> Definitions:
        """The definitions, or DefinitionError listing every problem."""
        if self.problems:
            raise DefinitionError(self.problems)
        return self.definitions


def read_directory(root: Path) -> dict[str, str]:
    """Every definition file under `root`, as relative POSIX path → text."""
    if not root.is_dir():
        raise DefinitionError([Problem(str(root), 0, "", zh_en("不是定义文件夹", "not a directory of definitions"))])

    return {  # an oversized file is read only far enough for the parser to refuse it
        p.relative_to(root).as_posix(): read_bounded(p)
        for p in sorted(root.rglob("*.yaml")) if p.name not in DATA_FILES
    }


def load_directory(root: Path, display_root: str | None = None) -> LoadResult:
    """Load and check every document under a directory."""
    prefix = display_root if display_root is not None else str(root)
    return load_sources(read_directory(root), prefix)


def load_sources(sources: Mapping[str, str], display_root: str = "") -> LoadResult:
    """Load and check documents given as relative path → YAML text."""
    problems: list[Problem] = []
    docs: dict[str, YamlDocument] = {}
    for rel, text in sorted(sources.items()):
        shown = f"{display_root.rstrip('/')}/{rel}" if display_root else rel
        read = _read_document if len(text) <= CACHED_TEXT else _read_document.__wrapped__
        doc, found = read(shown, text)
        problems.extend(found)
        if doc is not None:
            docs[rel] = doc
    defs, structure = assemble(docs, kind_of)
    problems.extend(structure)
    by_file = {d.file: d for d in docs.values()}
    problems.extend(check(defs, lambda file, ptr: by_file[file].line(ptr) if file in by_file else 0))
    return LoadResult(defs, _unique(problems), docs)


CACHED_TEXT = 256 * 1024  # larger documents are read each time (the cache holds at most 128 documents)


@lru_cache(maxsize=128)
def _read_document(shown: str, text: str) -> tuple[YamlDocument | None, tuple[Problem, ...]]:
    """One document parsed and checked against its kind's schema (None: not a definition).

    Cached by text: parsing and schema checks are most of a workspace check (~25 ms per CRM form), and the designer
    checks the whole workspace after every change of one document. The cached data is never mutated downstream.
    """
    try:
        doc = parse_yaml(text, shown)
    except YamlSyntaxError as exc:
        return None, (Problem(exc.file, exc.line, "", exc.message),)
    kind = kind_of(doc.data)
    if kind is None:
        first = next(iter(doc.data), "") if isinstance(doc.data, dict) else ""
        names = kind_names()
        return None, (Problem(shown, 1, "", zh_en("不是定义文档:第一个键必须是以下之一:" + "、".join(names),
                                                  "not a definition document: the first key must be one of "
                                                  + ", ".join(names)), closest(str(first), list(names))),)
    return doc, tuple(schema_problems(doc, kind))


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: dict[tuple[str, int, str, str], Problem] = {}
    for p in problems:
        seen.setdefault((p.file, p.line, p.path, text(p.message, "en")), p)
    return sorted(seen.values(), key=lambda p: (p.file, p.line, p.path))


def load_workflow_text(text: str, file: str = "snapshot") -> WorkflowDef:
    """One workflow from its YAML text alone (a running instance's snapshot): schema and graph are checked, the
    references to forms and roles are not; DefinitionError lists every problem."""
    try:
        doc = parse_yaml(text, file)
    except YamlSyntaxError as exc:
        raise DefinitionError([Problem(exc.file, exc.line, "", exc.message)]) from None
    if kind_of(doc.data) != "workflow":
        raise DefinitionError([Problem(file, 1, "", zh_en("不是流程文档:第一个键必须是“workflow”",
                                                          "not a workflow document: the first key must be 'workflow'"))])

    problems = schema_problems(doc, "workflow")
    workflow = build_workflow(doc)
    if not problems:
        report = Report(lambda _file, pointer: doc.line(pointer))
        check_workflow_graph(workflow, report)
        problems = report.problems
    if problems:
        raise DefinitionError(problems)
    return workflow
