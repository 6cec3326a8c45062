"""/api/v1/{form}: list, create, get, update (with version), delete and restore records."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from engine.errors import FieldError, NotFound, QueryInvalid, RecordInvalid
from engine.records.model import Filter, Query, Record
from engine.records.query import COUNT_CAP, MAX_LIMIT
from engine.records.writing import json_value
from web.api.input import MAX_ID, check_text, flag, read_json, strict_keys
from web.api.validation import InputCheck
from web.endpoints import body_view, workspace
from web.i18n import choose_language
from web.session import actor_of, current_user
from web.views.file_access import foreign_files

LIST_PARAMS = ("q", "sort", "limit", "after", "filter", "total", "deleted")
FILTER_KEYS = ("field", "op", "value")


def record_json(request: Request, record: Record) -> dict[str, Any]:
    """A record as the API returns it: id, version, system columns and typed field values."""
    rt = workspace(request).records.runtime(record.form)
    values = {f.id: json_value(rt, f.id, record.values.get(f.id)) for f in rt.form.fields
              if not rt.types[f.id].layout_only and f.id in record.values}  # hidden fields were masked out
    return {"id": record.id, "version": record.version, "created_at": record.created_at.isoformat(),
            "updated_at": record.updated_at.isoformat(), "created_by": record.created_by, "owner_id": record.owner_id,
            "department_id": record.department_id, "values": values}


def _actor(request: Request):  # type: ignore[no-untyped-def]
    return actor_of(current_user(request) or {}, choose_language(request))


def _form_id(request: Request) -> str:
    form_id = request.path_params["form"]
    if form_id not in workspace(request).definitions.forms:
        raise NotFound(form_id, "-")
    return str(form_id)


def _record_id(request: Request, form_id: str) -> int:
    raw = request.path_params["id"]
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        raise NotFound(form_id, raw)
    return int(raw)


def _limit(raw: str | None) -> int:
    if raw is None:
        return 50
    if not raw.strip().isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise QueryInvalid("bad_limit", max=MAX_LIMIT)
    return int(raw)


def _filters(raw: str | None) -> tuple[Filter, ...]:
    if not raw:
        return ()
    items = read_json(raw.encode(), what="filter", error=lambda: QueryInvalid(
        "bad_filter", message='filter must be a JSON list of {"field", "op", "value"}'))
    if not isinstance(items, list) or not all(isinstance(f, dict) and isinstance(f.get("field"), str)
                                              and isinstance(f.get("op"), str) and set(f) <= set(FILTER_KEYS)
                                              for f in items):
        raise QueryInvalid("bad_filter", message='filter must be a JSON list of {"field", "op", "value"}')
    return tuple(Filter(f["field"], f["op"], f.get("value")) for f in items)


def _query(request: Request) -> Query:
    """?q=…&sort=-amount&limit=50&after=…&filter=[{"field","op","value"}]&total=1&deleted=1 (total=capped: count up
    to COUNT_CAP, `total_exact` false past it)"""
    params = request.query_params
    for name in LIST_PARAMS:
        if name in params:
            check_text(params[name], lambda: QueryInvalid("bad_text", label=name))
    sort = tuple((s.strip().lstrip("-"), s.strip().startswith("-")) for s in params.get("sort", "").split(",")
                 if s.strip().lstrip("-"))
    capped = params.get("total") == "capped"
    return Query(filters=_filters(params.get("filter")), search=params.get("q"), sort=sort,
                 limit=_limit(params.get("limit")), after=params.get("after") or None,
                 with_total=capped or flag(params, "total"), total_cap=COUNT_CAP if capped else None,
                 deleted=flag(params, "deleted"))


def _values(request: Request, raw: bytes, form_id: str,
            allowed: tuple[str, ...]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the whole JSON body, its `values`), refusing unknown keys, text the databases cannot store, and values
    that break the form's input schema."""
    body = read_json(raw, what="body")
    if not isinstance(body, dict):
        raise RecordInvalid({"": [_expected("body", "a JSON object")]})
    strict_keys(body, allowed)
    values = body.get("values", {})
    if not isinstance(values, dict):
        raise RecordInvalid({"values": [_expected("values", "an object")]})
    _input_check(request).check(form_id, values)
    ws = workspace(request)
    foreign = foreign_files(ws, current_user(request) or {}, ws.definitions.forms[form_id], values)
    if foreign:
        raise RecordInvalid(foreign)
    return body, values


def _input_check(request: Request) -> InputCheck:
    """The input validators of the current definitions (rebuilt after a publish)."""
    defs = workspace(request).definitions
    cached = getattr(request.app.state, "input_check", None)
    if cached is None or cached.defs is not defs:
        cached = request.app.state.input_check = InputCheck(defs)
    return cached


def _expected(label: str, expected: str) -> FieldError:
    return FieldError("invalid_type", {"label": label, "expected": expected})


@body_view
def collection(request: Request, raw: bytes) -> Response:
    """GET lists records; POST creates one."""
    ws = workspace(request)
    form_id = _form_id(request)
    if request.method == "POST":
        _, values = _values(request, raw, form_id, ("values",))
        record = ws.records.create(_actor(request), form_id, values, via="api")
        return JSONResponse(record_json(request, record), status_code=201)
    page = ws.records.list(_actor(request), form_id, _query(request))
    return JSONResponse({"records": [record_json(request, r) for r in page.records], "next_cursor": page.next_cursor,
                         "total": page.total, "total_exact": page.total_exact})


def _version(raw: Any) -> int:
    """The record version a write is based on: a whole number (a digit string in a query)."""
    if isinstance(raw, str) and raw.isdigit():
        raw = int(raw)
    if not isinstance(raw, int) or isinstance(raw, bool) or not 1 <= raw <= MAX_ID:
        raise RecordInvalid({"version": [_expected("version", "the record's version, a whole number ≥ 1")]})
    return raw


@body_view
def item(request: Request, raw: bytes) -> Response:
    """GET one record; PATCH changes the given values (needs `version`); DELETE moves it to the recycle bin."""
    ws = workspace(request)
    form_id = _form_id(request)
    record_id = _record_id(request, form_id)
    if request.method == "PATCH":
        body, values = _values(request, raw, form_id, ("version", "values"))
        version = body.get("version")
        record = ws.records.update(_actor(request), form_id, record_id, values,
                                   version=_version(None if isinstance(version, str) else version), via="api")
        return JSONResponse(record_json(request, record))
    if request.method == "DELETE":
        given = request.query_params.get("version")
        ws.records.delete(_actor(request), form_id, record_id, version=_version(given) if given is not None else None,
                          via="api")
        return Response(status_code=204)
    return JSONResponse(record_json(request, ws.records.get(_actor(request), form_id, record_id)))


def restore(request: Request) -> Response:
    """POST brings a record back from the recycle bin."""
    ws = workspace(request)
    form_id = _form_id(request)
    record = ws.records.restore(_actor(request), form_id, _record_id(request, form_id), via="api")
    return JSONResponse(record_json(request, record))
