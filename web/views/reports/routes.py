"""Routes of report and dashboard pages (/apps/<app>/reports/<id>, /apps/<app>/dashboards/<id>) and drill-down,
registered before the form routes; "reports" and "dashboards" cannot be form ids (engine/definitions/builtin_kinds)."""

from starlette.routing import Route

from web.views.reports import board_pdf, drill, pages

ROUTES = [
    Route("/apps/{app}/reports/{report}", pages.report_page),
    Route("/apps/{app}/reports/{report}/drill", drill.drill),
    Route("/apps/{app}/dashboards/{dashboard}", pages.dashboard_page),
    Route("/apps/{app}/dashboards/{dashboard}/export.pdf", board_pdf.export_board_pdf),
]
