"""Routes of the report and dashboard designers other than the report designer's own: the dashboard designer and
creating a report or a dashboard (report_design.py has the report designer's)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.views.designer import dashboard_design, design_new

ROUTES: list[BaseRoute] = [*dashboard_design.ROUTES, *design_new.ROUTES]
