"""/api/v1/{form}/groupby and /api/v1/{form}/aggregate: counts, sums, averages, minimums and maximums of the
records the caller may read (the list's `filter` and `q` apply), grouped by fields, dates by day to year. The report
engine computes them (engine/reports/adhoc.py), under the caller's scope and field access."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from engine.errors import QueryInvalid
from engine.reports import adhoc
from web.api.input import check_text
from web.api.records import _actor, _filters, _form_id
from web.endpoints import workspace

PARAMS = ("field", "measure", "q", "filter")


class GroupBy(HTTPEndpoint):
    """/api/v1/{form}/groupby. An endpoint class, so other methods get 405 here instead of reaching
    /api/v1/{form}/{id} as if `groupby` were a record id."""

    def get(self, request: Request) -> Response:
        return groupby(request)


class Aggregate(HTTPEndpoint):
    """/api/v1/{form}/aggregate (GET only, as GroupBy)."""

    def get(self, request: Request) -> Response:
        return aggregate(request)


def groupby(request: Request) -> Response:
    """GET: the groups, each with its members ({value, label}) and measures, and the totals."""
    question = _question(request, grouped=True)
    answer = adhoc.ask(workspace(request).records, _actor(request), question)
    return JSONResponse({
        "fields": [{"field": g.name, "label": answer.labels[g.name]} for g in question.groupings],
        "measures": [m.name for m in question.measures],
        "groups": [{"keys": group.keys, "values": _numbers(group.values)} for group in answer.groups],
        "totals": _numbers(answer.totals),
    })


def aggregate(request: Request) -> Response:
    """GET: the measures over every record the caller reads under the filters."""
    question = _question(request, grouped=False)
    answer = adhoc.ask(workspace(request).records, _actor(request), question)
    return JSONResponse({"measures": [m.name for m in question.measures], "values": _numbers(answer.totals)})


def _question(request: Request, grouped: bool) -> adhoc.Question:
    """?field=stage&field=ordered_on:month&measure=count&measure=sum:amount&filter=[…]&q=…"""
    form_id = _form_id(request)
    params = request.query_params
    for name in PARAMS:
        for value in params.getlist(name):
            check_text(value, lambda: QueryInvalid("bad_text", label=name))
    fields = params.getlist("field") if grouped else []
    if grouped and not any(f.strip() for f in fields):
        raise QueryInvalid("missing_param", label="field")
    words = [w for w in params.getlist("measure") if w.strip()] or ["count"]
    return adhoc.Question(form_id, tuple(dict.fromkeys(adhoc.grouping(w) for w in fields)),
                          tuple(dict.fromkeys(adhoc.measure(w) for w in words)),
                          _filters(params.get("filter")), params.get("q") or None)


def _numbers(values: dict[str, Any]) -> dict[str, Any]:
    """Decimals as strings (to keep their places, as the API sends decimal fields); counts, whole numbers and
    averages as JSON numbers."""
    return {k: format(v, "f") if isinstance(v, Decimal) else v for k, v in values.items()}
