"""Load a set of definition documents (a directory or stored texts), validate them and build Definitions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from engine.definitions.builder import (
    build_app, build_automation, build_form, build_pipeline, build_roles, build_template, build_workflow,
)
from engine.definitions.checker import Report, check_definitions
from engine.definitions.model import (
    AppDef, AutomationDef, Definitions, FormDef, PipelineDef, RoleDef, Source, TemplateDef, WorkflowDef, frozen,
)
from engine.definitions.workflow_checks import check_workflow_graph
from engine.definitions.schemas import KINDS, kind_of, schema_problems
from engine.definitions.suggest import closest
from engine.definitions.yamlsource import YamlDocument, YamlSyntaxError, parse_yaml
from engine.errors import DefinitionError, Problem

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
        raise DefinitionError([Problem(str(root), 0, "", "not a directory of definitions")])
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
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
        try:
            doc = parse_yaml(text, shown)
        except YamlSyntaxError as exc:
            problems.append(Problem(exc.file, exc.line, "", exc.message))
            continue
        kind = kind_of(doc.data)
        if kind is None:
            first = next(iter(doc.data), "") if isinstance(doc.data, dict) else ""
            problems.append(Problem(shown, 1, "", "not a definition document: the first key must be one of "
                                    + ", ".join(KINDS), closest(str(first), list(KINDS))))
            continue
        problems.extend(schema_problems(doc, kind))
        docs[rel] = doc
    defs, structure = _assemble(docs)
    problems.extend(structure)
    by_file = {d.file: d for d in docs.values()}
    problems.extend(check_definitions(defs, lambda file, ptr: by_file[file].line(ptr) if file in by_file else 0))
    return LoadResult(defs, _unique(problems), docs)


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: dict[tuple[str, int, str, str], Problem] = {}
    for p in problems:
        seen.setdefault((p.file, p.line, p.path, p.message), p)
    return sorted(seen.values(), key=lambda p: (p.file, p.line, p.path))


def _assemble(docs: Mapping[str, YamlDocument]) -> tuple[Definitions, list[Problem]]:
    """Build objects and check the folder structure: apps own the forms under `<app>/forms/`."""
    problems: list[Problem] = []
    template: TemplateDef | None = None
    app_docs: dict[str, tuple[str, YamlDocument]] = {}
    forms: dict[str, FormDef] = {}
    form_files: dict[str, list[str]] = {}
    roles: list[RoleDef] = []
    automations: dict[str, AutomationDef] = {}
    pipelines: dict[str, PipelineDef] = {}
    workflows: dict[str, WorkflowDef] = {}
    for rel, doc in docs.items():
        kind = kind_of(doc.data)
        parts = PurePosixPath(rel).parts
        if kind == "template":
            template = build_template(doc)
        elif kind == "roles":
            roles.extend(build_roles(doc))
        elif kind == "automation":
            _add_named("automation", rel, build_automation(doc), doc, automations, problems)
        elif kind == "workflow":
            _add_named("workflow", rel, build_workflow(doc), doc, workflows, problems)
        elif kind == "pipeline":
            _add_named("pipeline", rel, build_pipeline(doc), doc, pipelines, problems)
        elif kind == "app":
            app_docs["/".join(parts[:-1])] = (rel, doc)
        elif kind == "form":
            app = "/".join(parts[:-2]) if len(parts) >= 3 and parts[-2] == "forms" else ""
            if not app:
                problems.append(Problem(doc.file, 1, "", "a form belongs in <app>/forms/<form>.yaml"))
            form = build_form(doc, PurePosixPath(app).name)
            if form.id in forms:
                problems.append(Problem(doc.file, doc.line("/form"), "/form",
                                        f"form id '{form.id}' is also used by {forms[form.id].source.file}"))
                continue
            if PurePosixPath(rel).stem != form.id:
                problems.append(Problem(doc.file, doc.line("/form"), "/form",
                                        f"form '{form.id}' must be in a file named {form.id}.yaml"))
            forms[form.id] = form
            form_files.setdefault(app, []).append(form.id)
    apps = [_app(folder, rel, doc, form_files.get(folder, []), problems) for folder, (rel, doc) in sorted(app_docs.items())]
    for folder in form_files:
        if folder and folder not in app_docs:
            problems.append(Problem(f"{folder}/app.yaml", 0, "", f"folder '{folder}' has forms but no app.yaml"))
    if template is not None:
        apps = _order_apps(template, apps, problems)
    return Definitions(apps=tuple(apps), forms=frozen(forms), roles=tuple(roles), template=template,
                       automations=frozen(automations), pipelines=frozen(pipelines),
                       workflows=frozen(workflows)), problems


class _Named(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def source(self) -> Source: ...


def _add_named(kind: str, rel: str, item: _Named, doc: YamlDocument, found: dict[str, Any],
               problems: list[Problem]) -> None:
    """Keep an automation, workflow or pipeline unless its id is taken or its file is misnamed (<id>.yaml)."""
    if item.id in found:
        problems.append(Problem(doc.file, doc.line(f"/{kind}"), f"/{kind}",
                                f"{kind} id '{item.id}' is also used by {found[item.id].source.file}"))
    elif PurePosixPath(rel).stem != item.id:
        problems.append(Problem(doc.file, doc.line(f"/{kind}"), f"/{kind}",
                                f"{kind} '{item.id}' must be in a file named {item.id}.yaml"))
    else:
        found[item.id] = item


def load_workflow_text(text: str, file: str = "snapshot") -> WorkflowDef:
    """One workflow from its YAML text alone (a running instance's snapshot): schema and graph are checked, the
    references to forms and roles are not; DefinitionError lists every problem."""
    try:
        doc = parse_yaml(text, file)
    except YamlSyntaxError as exc:
        raise DefinitionError([Problem(exc.file, exc.line, "", exc.message)]) from None
    if kind_of(doc.data) != "workflow":
        raise DefinitionError([Problem(file, 1, "", "not a workflow document: the first key must be 'workflow'")])
    problems = schema_problems(doc, "workflow")
    workflow = build_workflow(doc)
    if not problems:
        report = Report(lambda _file, pointer: doc.line(pointer))
        check_workflow_graph(workflow, report)
        problems = report.problems
    if problems:
        raise DefinitionError(problems)
    return workflow


def _app(folder: str, rel: str, doc: YamlDocument, found: list[str], problems: list[Problem]) -> AppDef:
    data = doc.data if isinstance(doc.data, dict) else {}
    listed = [str(f) for f in data.get("forms", [])] if isinstance(data.get("forms"), list) else []
    for i, name in enumerate(listed):
        if name not in found:
            problems.append(Problem(doc.file, doc.line(f"/forms/{i}"), f"/forms/{i}",
                                    f"no form file {folder}/forms/{name}.yaml", closest(name, found)))
    order = listed + sorted(f for f in found if f not in listed)
    app = build_app(doc, tuple(f for f in order if f in found))
    if app.id != PurePosixPath(folder).name:
        problems.append(Problem(doc.file, doc.line("/app"), "/app", f"app '{app.id}' must be in a folder named '{app.id}'"))
    return app


def _order_apps(template: TemplateDef, apps: list[AppDef], problems: list[Problem]) -> list[AppDef]:
    by_id = {a.id: a for a in apps}
    for i, name in enumerate(template.apps):
        if name not in by_id:
            problems.append(Problem(template.source.file, 0, f"/apps/{i}", f"no app folder '{name}'",
                                    closest(name, list(by_id))))
    listed = [by_id[a] for a in template.apps if a in by_id]
    return listed + [a for a in apps if a.id not in template.apps]
