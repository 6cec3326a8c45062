"""/api/v1/{form}/bulk: create (POST) or update (PATCH) up to 1,000 records in one call, a result per record or
all-or-nothing with `atomic: true`."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from engine.errors import FieldError, RecordInvalid
from engine.records import bulk
from engine.records.values import Errors
from web.api.input import MAX_ID, read_json, strict_keys
from web.api.records import _actor, _form_id, _input_check, record_json
from web.endpoints import workspace
from web.session import current_user
from web.views.file_access import foreign_files

BULK_BODY = 32 * 1024 * 1024
ITEM_KEYS = {"create": ("values",), "update": ("id", "version", "values")}


class ApiBulk(HTTPEndpoint):
    """/api/v1/{form}/bulk. An endpoint class, so other methods get 405 here instead of reaching
    /api/v1/{form}/{id} as if `bulk` were a record id."""

    async def post(self, request: Request) -> Response:
        """POST: create the records."""
        return await run_in_threadpool(create, request, await request.body())

    async def patch(self, request: Request) -> Response:
        """PATCH: change the records, each at the version the caller read."""
        return await run_in_threadpool(update, request, await request.body())


def create(request: Request, raw: bytes) -> Response:
    """Create the batch (malformed items refuse it before the engine sees it)."""
    form_id, items, atomic = _start(request, raw, "create")
    results = bulk.create_batch(workspace(request).records, _actor(request), form_id,
                                [item["values"] for item in items], atomic=atomic)
    return _answer(request, results)


def update(request: Request, raw: bytes) -> Response:
    """Update the batch; a stale version is that item's conflict."""
    form_id, items, atomic = _start(request, raw, "update")
    changes = [bulk.Change(item["id"], item["version"], item["values"]) for item in items]
    return _answer(request, bulk.update_batch(workspace(request).records, _actor(request), form_id, changes,
                                              atomic=atomic))


def _start(request: Request, raw: bytes, kind: str) -> tuple[str, list[dict[str, Any]], bool]:
    """(form, well-formed items, atomic) after checking the rights, the size and every item's shape."""
    form_id = _form_id(request)
    bulk.require_rights(workspace(request).records, _actor(request), form_id, kind)
    items, atomic = _batch(raw)
    checked, failed = _check_items(request, form_id, items, kind)
    if failed:  # an item the input schema refuses is a client's bug, not a data problem: the request is refused
        raise RecordInvalid(bulk.numbered_errors([bulk.ItemResult(i, errors=e) for i, e in sorted(failed.items())]))
    return form_id, [checked[i] for i in range(len(items))], atomic


def _batch(raw: bytes) -> tuple[list[Any], bool]:
    """(the items, atomic) of a body {records: [...], atomic?: bool}; BatchTooLarge above the limit."""
    body = read_json(raw, what="body", limit=BULK_BODY)
    if not isinstance(body, dict):
        raise RecordInvalid({"": [_expected("body", "a JSON object")]})
    strict_keys(body, ("records", "atomic"))
    items, atomic = body.get("records"), body.get("atomic", False)
    if not isinstance(items, list):
        raise RecordInvalid({"records": [_expected("records", "a list of records")]})
    if not isinstance(atomic, bool):
        raise RecordInvalid({"atomic": [_expected("atomic", "true or false")]})
    bulk.check_size(len(items))
    return items, atomic


def _check_items(request: Request, form_id: str, items: list[Any],
                 kind: str) -> tuple[dict[int, dict[str, Any]], dict[int, Errors]]:
    """(well-formed items by index, errors of the others by index)."""
    checked: dict[int, dict[str, Any]] = {}
    failed: dict[int, Errors] = {}
    for index, item in enumerate(items):
        try:
            checked[index] = _check_item(request, form_id, item, kind)
        except RecordInvalid as exc:
            failed[index] = dict(exc.errors)
    return checked, failed


def _check_item(request: Request, form_id: str, item: Any, kind: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise RecordInvalid({"": [_expected("record", "a JSON object")]})
    strict_keys(item, ITEM_KEYS[kind])
    values = item.get("values", {})
    if not isinstance(values, dict):
        raise RecordInvalid({"values": [_expected("values", "an object")]})
    if kind == "update":
        for key in ("id", "version"):
            if not _whole(item.get(key)):
                raise RecordInvalid({key: [_expected(key, "a whole number ≥ 1")]})
    _input_check(request).check(form_id, values)
    ws = workspace(request)
    foreign = foreign_files(ws, current_user(request) or {}, ws.definitions.forms[form_id], values)
    if foreign:
        raise RecordInvalid(foreign)
    return {**item, "values": values}


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def _answer(request: Request, results: list[bulk.ItemResult]) -> Response:
    """{written, failed, results: [{index, id?, version?, record?, errors?, current_version?}]}."""
    return JSONResponse({"written": sum(r.ok for r in results), "failed": sum(not r.ok for r in results),
                         "results": [_result_json(request, r) for r in results]})


def _result_json(request: Request, result: bulk.ItemResult) -> dict[str, Any]:
    if result.record is not None:
        return {"index": result.index, "id": result.record.id, "version": result.record.version,
                "record": record_json(request, result.record)}
    body: dict[str, Any] = {"index": result.index,
                            "errors": {path: [e.as_dict() for e in errs] for path, errs in result.errors.items()}}
    if result.record_id is not None:
        body["id"] = result.record_id
    if result.current_version is not None:
        body["current_version"] = result.current_version
    return body


def _expected(label: str, expected: str) -> FieldError:
    return FieldError("invalid_type", {"label": label, "expected": expected})
