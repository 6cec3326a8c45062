"""POST /design/apps/{app}/reports and /design/apps/{app}/dashboards: a new report (id, name, source form) or a
new dashboard (id, name), started as the designer's draft: nothing is published until they publish it."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from engine.definitions.dashboard_edits import new_dashboard_text
from engine.definitions.model import AppDef
from engine.definitions.report_edits import new_report_text
from engine.errors import DefinitionError
from web.endpoints import form_view, workspace
from web.views.designer.access import design_app_view, designer_id
from web.views.designer.apps import app_page
from web.views.designer.analysis import document_path
from web.views.designer.publishing import Refusal, check_id, posted_label, say


def _create(request: Request, app: AppDef, form: FormData, kind: str) -> Response:
    ws = workspace(request)
    try:
        doc_id = check_id(request, str(form.get("id") or ""), kind)
        label = posted_label(request, form)
        taken = ws.definitions.reports if kind == "report" else ws.definitions.dashboards
        path = document_path(app, kind, doc_id)
        if doc_id in taken or path in ws.sources():
            raise Refusal([say(request, "rd_exists", id=doc_id)])
        if kind == "report":
            source = str(form.get("form") or "")
            if source not in app.forms or source not in ws.definitions.forms:
                raise Refusal([say(request, "rd_no_form")])
            text = new_report_text(doc_id, label, source)
        else:
            text = new_dashboard_text(doc_id, label)
        ws.drafts.create(path, designer_id(request), text)
    except Refusal as refusal:
        return app_page(request, app, refusal, form)
    except DefinitionError:
        return app_page(request, app, Refusal([say(request, "rd_exists", id=str(form.get("id")))]), form)
    return RedirectResponse(f"/design/{kind}s/{doc_id}", status_code=303)


@design_app_view
def new_report(request: Request, app: AppDef, form: FormData) -> Response:
    return _create(request, app, form, "report")


@design_app_view
def new_dashboard(request: Request, app: AppDef, form: FormData) -> Response:
    return _create(request, app, form, "dashboard")


ROUTES: list[BaseRoute] = [
    Route("/design/apps/{app}/reports", form_view(new_report), methods=["POST"]),
    Route("/design/apps/{app}/dashboards", form_view(new_dashboard), methods=["POST"]),
]
