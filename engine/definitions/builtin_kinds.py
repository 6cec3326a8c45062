"""The built-in document kinds, registered the way a plugin would register a new one (report, dashboard, page…)."""

from __future__ import annotations

from pathlib import PurePosixPath

from engine.definitions.automation_checks import check_automations
from engine.definitions.builder import (
    build_app, build_automation, build_form, build_pipeline, build_roles, build_template, build_workflow,
)
from engine.definitions.checker import Report, check_apps, check_cycles, check_form, check_roles
from engine.definitions.kinds import Assembly, Kind, by_id, place_by_id, register_kind
from engine.definitions.model import AppDef, Definitions, TemplateDef
from engine.definitions.pipeline_checks import check_pipelines
from engine.definitions.suggest import closest
from engine.definitions.workflow_checks import check_workflows
from engine.definitions.yamlsource import YamlDocument
from engine.home.checks import check_home
from engine.home.model import HOME_PATH, build_home
from engine.reports.checks import check_reports
from engine.reports.dashboard import build_dashboard
from engine.reports.dashboard_checks import check_dashboards
from engine.reports.model import build_report
from engine.errors import Problem
from engine.i18n import zh_en


def _add_template(assembly: Assembly, rel: str, doc: YamlDocument) -> None:
    assembly.slots["template"] = build_template(doc)


def _add_roles(assembly: Assembly, rel: str, doc: YamlDocument) -> None:
    assembly.listed("roles").extend(build_roles(doc))


def _add_app(assembly: Assembly, rel: str, doc: YamlDocument) -> None:
    """An app is built once every form is placed: it lists the forms of its folder."""
    assembly.kept("app")["/".join(PurePosixPath(rel).parts[:-1])] = (rel, doc)


def _add_form(assembly: Assembly, rel: str, doc: YamlDocument) -> None:
    """A form belongs to the app whose folder holds it: <app>/forms/<form>.yaml."""
    parts = PurePosixPath(rel).parts
    app = "/".join(parts[:-2]) if len(parts) >= 3 and parts[-2] == "forms" else ""
    if not app:
        assembly.problems.append(Problem(doc.file, 1, "", zh_en("表单文件应放在 <应用>/forms/<表单>.yaml",
                                                                "a form belongs in <app>/forms/<form>.yaml")))
    form = build_form(doc, PurePosixPath(app).name)
    if place_by_id(assembly, "form", "forms", rel, form, doc, keep_misnamed=True):
        assembly.kept("form").setdefault(app, []).append(form.id)


def _finish_apps(assembly: Assembly) -> None:
    """Build the apps with the forms found in their folders, in the template's order."""
    app_docs: dict[str, tuple[str, YamlDocument]] = assembly.kept("app")
    form_files: dict[str, list[str]] = assembly.kept("form")
    apps = [_app(folder, doc, form_files.get(folder, []), assembly.problems)
            for folder, (_rel, doc) in sorted(app_docs.items())]
    for folder in form_files:
        if folder and folder not in app_docs:
            assembly.problems.append(Problem(f"{folder}/app.yaml", 0, "", zh_en(
                f"文件夹“{folder}”中有表单,但没有 app.yaml", f"folder '{folder}' has forms but no app.yaml")))
    template = assembly.slots.get("template")
    if isinstance(template, TemplateDef):
        apps = _order_apps(template, apps, assembly.problems)
    assembly.slots["apps"] = apps


def _app(folder: str, doc: YamlDocument, found: list[str], problems: list[Problem]) -> AppDef:
    data = doc.data if isinstance(doc.data, dict) else {}
    listed = [str(f) for f in data.get("forms", [])] if isinstance(data.get("forms"), list) else []
    for i, name in enumerate(listed):
        if name not in found:
            problems.append(Problem(doc.file, doc.line(f"/forms/{i}"), f"/forms/{i}",
                                    zh_en(f"没有表单文件 {folder}/forms/{name}.yaml", f"no form file {folder}/forms/{name}.yaml"),
                                    closest(name, found)))
    order = listed + sorted(f for f in found if f not in listed)
    app = build_app(doc, tuple(f for f in order if f in found))
    if app.id != PurePosixPath(folder).name:
        problems.append(Problem(doc.file, doc.line("/app"), "/app", zh_en(
            f"应用“{app.id}”必须放在名为“{app.id}”的文件夹中", f"app '{app.id}' must be in a folder named '{app.id}'")))
    return app


def _order_apps(template: TemplateDef, apps: list[AppDef], problems: list[Problem]) -> list[AppDef]:
    by_app = {a.id: a for a in apps}
    for i, name in enumerate(template.apps):
        if name not in by_app:
            problems.append(Problem(template.source.file, 0, f"/apps/{i}", zh_en(f"没有应用文件夹“{name}”", f"no app folder '{name}'"),

                                    closest(name, list(by_app))))
    listed = [by_app[a] for a in template.apps if a in by_app]
    return listed + [a for a in apps if a.id not in template.apps]


def _add_report(assembly: Assembly, rel: str, doc: YamlDocument) -> None:
    """A report belongs to the app whose folder holds it: <app>/reports/<report>.yaml."""
    item = build_report(doc, rel)
    if not item.app:
        assembly.problems.append(Problem(doc.file, 1, "", zh_en("报表应放在 <应用>/reports/<报表>.yaml",
                                                                  "a report belongs in <app>/reports/<report>.yaml")))
    place_by_id(assembly, "report", "reports", rel, item, doc)


def _add_dashboard(assembly: Assembly, rel: str, doc: YamlDocument) -> None:
    """A dashboard belongs to the app whose folder holds it: <app>/dashboards/<dashboard>.yaml."""
    item = build_dashboard(doc, rel)
    if not item.app:
        assembly.problems.append(Problem(doc.file, 1, "", zh_en("看板应放在 <应用>/dashboards/<看板>.yaml",
                                                                  "a dashboard belongs in <app>/dashboards/<dashboard>.yaml")))
    place_by_id(assembly, "dashboard", "dashboards", rel, item, doc)


RESERVED_FORM_IDS = ("reports", "dashboards")  # an app's report and dashboard pages: /apps/<app>/reports/<id>


def _add_home(assembly: Assembly, rel: str, doc: YamlDocument) -> None:
    """The one home document of a workspace lives at a template's root: home.yaml (installed: <template>/home.yaml)."""
    parts = PurePosixPath(rel).parts
    if parts[-1] != HOME_PATH or len(parts) > 2:
        assembly.problems.append(Problem(doc.file, 1, "", zh_en(f"首页定义应放在模板根目录的 {HOME_PATH}",
                                                                  f"the home document belongs in {HOME_PATH} at the template root")))
        return
    earlier = assembly.slots.get("home")
    if earlier is not None:
        assembly.problems.append(Problem(doc.file, 1, "", zh_en(
            f"工作区只能有一个首页定义,已有 {earlier.source.file}", f"a workspace has one home document: {earlier.source.file} is one")))
        return
    assembly.slots["home"] = build_home(doc, rel)


def _check_forms(defs: Definitions, report: Report) -> None:
    for form in defs.forms.values():
        check_form(defs, form, report)
        if form.id in RESERVED_FORM_IDS:
            report.add(form.source, "/form", zh_en(f"表单编号不能是“{form.id}”:它是应用的报表与看板页面的地址",
                                                   f"a form cannot be called '{form.id}': the app's report and "
                                                   "dashboard pages use that address"))


# Registration order is the order kinds are named in messages and their checks run.
register_kind(Kind("template", "template", _add_template))
register_kind(Kind("app", "apps", _add_app, finish=_finish_apps, checks=(check_apps,)))
register_kind(Kind("form", "forms", _add_form, checks=(_check_forms, check_cycles)))
register_kind(Kind("roles", "roles", _add_roles, checks=(check_roles,)))
register_kind(by_id("automation", "automations", build_automation, checks=(check_automations,)))
register_kind(by_id("pipeline", "pipelines", build_pipeline, checks=(check_pipelines,)))
register_kind(by_id("workflow", "workflows", build_workflow, checks=(check_workflows,)))
register_kind(Kind("report", "reports", _add_report, checks=(check_reports,)))
register_kind(Kind("dashboard", "dashboards", _add_dashboard, checks=(check_dashboards,)))
register_kind(Kind("home", "home", _add_home, checks=(check_home,)))
