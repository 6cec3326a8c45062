"""Routes of the import pages, registered before a form's record routes (`import` and `imports` are not record ids).

GET  /apps/{app}/{form}/import                       step 1: upload (and the user's past imports)
POST /apps/{app}/{form}/import                       the file: refused on the page, or staged
GET  /apps/{app}/{form}/import/template.xlsx        an empty workbook with the importable fields as headers
GET  /apps/{app}/{form}/import/{stage}/mapping       step 2: columns to fields, duplicate rule, dry run, sheet
POST /apps/{app}/{form}/import/{stage}/mapping       the choices: on to the preview, or back with the problem
GET  /apps/{app}/{form}/import/{stage}/preview       step 3: first rows as stored, problems per column
POST /apps/{app}/{form}/import/{stage}/start         queue the import
GET  /apps/{app}/{form}/imports/{token}              step 4: progress (htmx polls it), then the summary
GET  /apps/{app}/{form}/imports/{token}/report       the error report (xlsx)
POST /apps/{app}/{form}/imports/{token}/resume       a failed import goes on after its last finished row
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from web.views.imports import mapping, preview, progress, upload

ROUTES: list[BaseRoute] = [
    Route("/apps/{app}/{form}/import", upload.endpoint, methods=["GET", "POST"]),
    Route("/apps/{app}/{form}/import/template.xlsx", upload.template),
    Route("/apps/{app}/{form}/import/{stage}/mapping", mapping.mapping, methods=["GET", "POST"]),
    Route("/apps/{app}/{form}/import/{stage}/preview", preview.show),
    Route("/apps/{app}/{form}/import/{stage}/start", preview.start, methods=["POST"]),
    Route("/apps/{app}/{form}/imports/{token}", progress.show),
    Route("/apps/{app}/{form}/imports/{token}/report", progress.report),
    Route("/apps/{app}/{form}/imports/{token}/resume", progress.resume, methods=["POST"]),
]
