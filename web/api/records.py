"""/api/v1/{form}: list, create, get, update (with version), delete and restore records."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from engine.errors import FieldError, NotFound, QueryInvalid, RecordInvalid
from engine.records.model import Filter, Query, Record
from engine.records.writing import json_value
from web.i18n import choose_language
from web.session import actor_of, current_user

MAX_BODY = 2 * 1024 * 1024


def record_json(request: Request, record: Record) -> dict[str, Any]:
    """A record as the API returns it: id, version, system columns and typed field values."""
    rt = request.app.state.ws.records.runtime(record.form)
    values = {f.id: json_value(rt, f.id, record.values.get(f.id)) for f in rt.form.fields
              if not rt.types[f.id].layout_only}
    return {"id": record.id, "version": record.version, "created_at": record.created_at.isoformat(),
            "updated_at": record.updated_at.isoformat(), "created_by": record.created_by, "owner_id": record.owner_id,
            "department_id": record.department_id, "values": values}


def _actor(request: Request):  # type: ignore[no-untyped-def]
    return actor_of(current_user(request) or {}, choose_language(request))


def _form_id(request: Request) -> str:
    form_id = request.path_params["form"]
    if form_id not in request.app.state.ws.definitions.forms:
        raise NotFound(form_id, "-")
    return str(form_id)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise RecordInvalid({"": [FieldError("too_long", {"label": "body", "max": MAX_BODY})]})
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise RecordInvalid({"": [FieldError("invalid_type", {"label": "body", "expected": "JSON"})]}) from None
    if not isinstance(data, dict):
        raise RecordInvalid({"": [FieldError("invalid_type", {"label": "body", "expected": "a JSON object"})]})
    return data


def _query(request: Request) -> Query:
    """?q=…&sort=-amount&limit=50&after=…&filter=[{"field","op","value"}]&total=1&deleted=1"""
    params = request.query_params
    try:
        limit = int(params.get("limit", "50"))
        filters = json.loads(params.get("filter", "[]"))
    except ValueError:
        raise QueryInvalid("bad_filter", message="limit must be a number and filter JSON") from None
    if not isinstance(filters, list) or not all(isinstance(f, dict) and isinstance(f.get("field"), str)
                                                and isinstance(f.get("op"), str) for f in filters):
        raise QueryInvalid("bad_filter", message='filter must be a JSON list of {"field", "op", "value"}')
    sort = tuple((s.lstrip("-"), s.startswith("-")) for s in params.get("sort", "").split(",") if s.strip("-"))
    return Query(filters=tuple(Filter(f["field"], f["op"], f.get("value")) for f in filters), search=params.get("q"),
                 sort=sort, limit=limit, after=params.get("after") or None, with_total=params.get("total") == "1",
                 deleted=params.get("deleted") == "1")


async def collection(request: Request) -> Response:
    """GET lists records; POST creates one."""
    ws = request.app.state.ws
    form_id = _form_id(request)
    if request.method == "POST":
        values = (await _body(request)).get("values", {})
        if not isinstance(values, dict):
            raise RecordInvalid({"values": [FieldError("invalid_type", {"label": "values", "expected": "an object"})]})
        record = ws.records.create(_actor(request), form_id, values, via="api")
        return JSONResponse(record_json(request, record), status_code=201)
    page = ws.records.list(_actor(request), form_id, _query(request))
    return JSONResponse({"records": [record_json(request, r) for r in page.records], "next_cursor": page.next_cursor,
                         "total": page.total})


async def item(request: Request) -> Response:
    """GET one record; PATCH changes the given values (needs `version`); DELETE moves it to the recycle bin."""
    ws = request.app.state.ws
    form_id = _form_id(request)
    try:
        record_id = int(request.path_params["id"])
    except ValueError:
        raise NotFound(form_id, request.path_params["id"]) from None
    if request.method == "PATCH":
        body = await _body(request)
        version = body.pop("version", None)
        if not isinstance(version, int) or isinstance(version, bool):
            raise RecordInvalid({"version": [FieldError("required", {"label": "version"})]})
        values = body.get("values", {})
        if not isinstance(values, dict):
            raise RecordInvalid({"values": [FieldError("invalid_type", {"label": "values", "expected": "an object"})]})
        record = ws.records.update(_actor(request), form_id, record_id, values, version=version, via="api")
        return JSONResponse(record_json(request, record))
    if request.method == "DELETE":
        version = request.query_params.get("version")
        ws.records.delete(_actor(request), form_id, record_id, version=int(version) if version and version.isdigit()
                          else None, via="api")
        return Response(status_code=204)
    return JSONResponse(record_json(request, ws.records.get(_actor(request), form_id, record_id)))


async def restore(request: Request) -> Response:
    """POST brings a record back from the recycle bin."""
    ws = request.app.state.ws
    form_id = _form_id(request)
    try:
        record_id = int(request.path_params["id"])
    except ValueError:
        raise NotFound(form_id, request.path_params["id"]) from None
    record = ws.records.restore(_actor(request), form_id, record_id, via="api")
    return JSONResponse(record_json(request, record))
