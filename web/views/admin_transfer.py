"""/admin/users/{id}/transfer: hand every record a leaving user owns to another user — see how many per form,
confirm, and optionally disable the leaving user in the same transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from engine.errors import FieldError, RecordInvalid
from engine.org.users import list_users
from engine.records.transfer import owned_counts, transfer_ownership
from web.endpoints import form_view, workspace
from web.i18n import choose_language
from web.render import page
from web.session import actor_of, current_user
from web.views.admin_access import address_of, admin_only, int_or_none, path_id, user_or_404

RECEIVER = {"zh": "接收人", "en": "Receiving user"}


def _render(request: Request, person: Mapping[str, Any], errors: Mapping[str, list[FieldError]] | None = None,
            status: int = 200, **extra: Any) -> Response:
    ws = workspace(request)
    with ws.reading() as conn:
        counts = owned_counts(conn, ws.records.runtimes, int(person["id"]))
        receivers = [u for u in list_users(conn) if u["active"] and u["id"] != person["id"]]
    context = {"person": person, "counts": counts, "total": sum(counts.values()), "receivers": receivers,
               "errors": errors or {}, "to_user": None, "disable": False, "moved": None, "section": "users",
               **extra}
    return page(request, "admin_transfer.html", context, status=status)


@form_view
@admin_only
def transfer_page(request: Request, form: FormData) -> Response:
    """GET the counts and the choice of receiver; POST hands the records over and shows what moved."""
    person = user_or_404(request, path_id(request))
    if request.method == "GET":
        return _render(request, person)
    to_user, disable = int_or_none(form.get("to_user")), form.get("disable") == "1"
    ws = workspace(request)
    user = current_user(request)
    assert user is not None
    try:
        if to_user is None:
            raise RecordInvalid({"to_user": [FieldError("required", {"label": RECEIVER})]})
        moved = transfer_ownership(ws.engine, ws.records.runtimes, actor_of(user, choose_language(request)),
                                   int(person["id"]), to_user, ws.now(), disable=disable,
                                   address=address_of(request))
    except RecordInvalid as exc:
        errors = {"disable" if key == "user" else "to_user": problems for key, problems in exc.errors.items()}
        return _render(request, person, errors, 422, to_user=to_user, disable=disable)
    receiver = user_or_404(request, to_user)
    return _render(request, user_or_404(request, int(person["id"])), moved=moved, receiver=receiver,
                   disabled=disable)
