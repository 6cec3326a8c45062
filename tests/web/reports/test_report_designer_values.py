"""The report designer's filter values follow the field: option labels for choice fields, "me" and members for
people, date inputs and relative dates for dates, numbers for numbers; what is posted is stored typed."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from engine.org.users import user_id_by_name
from tests.web.reports.test_report_designer import EN, op
from tests.web.test_web import sign_in

URL = "/design/reports/monthly"


def _filters(web: TestClient) -> list[dict[str, Any]]:
    ws = web.sales.ws  # type: ignore[attr-defined]
    with ws.reading() as conn:
        alice = user_id_by_name(conn, "alice")
    draft = ws.drafts.find("sales/reports/monthly.yaml", alice)
    assert draft is not None
    return list(draft.doc.get("filters") or [])


def test_the_value_input_follows_the_field_and_the_condition(web: TestClient) -> None:
    csrf = sign_in(web, "alice")
    for field in ("stage", "closed_at", "owner", "amount"):
        op(web, csrf, f"{URL}/ops", {"op": "report_add_filter", "filter": {"field": field, "op": "not_empty"}})
    page = web.get(URL, headers=EN).text
    assert 'hx-get="/design/reports/monthly/filter-value?index=0"' in page and "No value needed" in page
    stage = web.get(f"{URL}/filter-value?index=0&op=in", headers=EN).text
    assert 'multiple' in stage and '<option value="won"' in stage and ">Won<" in stage
    assert 'type="datetime-local"' in web.get(f"{URL}/filter-value?index=1&op=gt", headers=EN).text
    assert "No value needed" in web.get(f"{URL}/filter-value?index=1&op=this_month", headers=EN).text
    assert 'type="number"' in web.get(f"{URL}/filter-value?index=1&op=last_n_days", headers=EN).text
    owner = web.get(f"{URL}/filter-value?index=2&op=eq", headers=EN).text
    assert 'value="$me"' in owner and ">mona<" in owner.replace("Mona", "mona")
    assert 'type="number"' in web.get(f"{URL}/filter-value?index=3&op=gt", headers=EN).text
    assert web.get(f"{URL}/filter-value?index=9&op=eq", headers=EN).status_code == 404


def test_posted_values_are_stored_typed_and_bad_ones_refused(web: TestClient) -> None:
    csrf = sign_in(web, "alice")
    headers = {**EN, "X-CSRF-Token": csrf, "HX-Request": "true"}
    for field in ("stage", "amount", "closed_at"):
        op(web, csrf, f"{URL}/ops", {"op": "report_add_filter", "filter": {"field": field, "op": "not_empty"}})
    assert web.post(f"{URL}/filter", headers=headers, data={"index": "0", "op": "in", "value": ["won", "lost"]}).status_code == 200
    assert web.post(f"{URL}/filter", headers=headers, data={"index": "1", "op": "between", "value": ["10", "2000.5"]}).status_code == 200
    answer = web.post(f"{URL}/filter", headers=headers, data={"index": "2", "op": "last_n_days", "value": "30"})
    assert answer.status_code == 200 and 'value="30"' in answer.text
    assert _filters(web) == [{"field": "stage", "op": "in", "value": ["won", "lost"]},
                             {"field": "amount", "op": "between", "value": [10, 2000.5]},
                             {"field": "closed_at", "op": "last_n_days", "value": 30}]
    bad = web.post(f"{URL}/filter", headers=headers, data={"index": "1", "op": "gt", "value": "lots"})
    assert bad.status_code == 422 and "is not a number" in bad.text
    empty = web.post(f"{URL}/filter", headers=headers, data={"index": "1", "op": "gt", "value": ""})
    assert empty.status_code == 422 and "choose or type the value" in empty.text
    wrong = web.post(f"{URL}/filter", headers=headers, data={"index": "0", "op": "last_n_days", "value": "3"})
    assert wrong.status_code == 422 and "does not fit the field" in wrong.text
