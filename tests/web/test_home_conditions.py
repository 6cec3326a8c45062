"""/admin/home's condition builder: rows drawn by the server (the form's fields, operators that fit the field, the
typed value input with option labels and "me"), posted as the `filter` list the home document holds."""

from __future__ import annotations

import re
from typing import Any

from tests.web.test_home import _sign_in, crm  # noqa: F401  (the fixture)

EN = {"Accept-Language": "en"}


def test_the_builder_draws_typed_rows_for_the_chosen_form(crm) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    _ws, client, _people = crm
    _sign_in(client, "root", "correct horse 1")
    builder = client.get("/admin/home/conditions?form=payment", headers=EN)
    assert builder.status_code == 200 and "Add a condition" in builder.text
    row = client.get("/admin/home/condition?form=payment&n=0&add=1", headers=EN)
    assert row.status_code == 200 and 'name="cf_0"' in row.text and "n=1" in row.text  # the next row's Add button
    status = client.get("/admin/home/condition?cform=payment&n=0&cf_0=status&co_0=in", headers=EN).text
    assert "<option value=\"confirmed\"" in status and ">Confirmed<" in status and 'multiple' in status
    owner = client.get("/admin/home/condition?cform=payment&n=0&cf_0=owner", headers=EN).text
    assert 'value="$me"' in owner and "Me (the viewer)" in owner
    amount = client.get("/admin/home/condition?cform=payment&n=0&cf_0=amount&co_0=between", headers=EN).text
    assert amount.count('type="number" name="cv_0"') == 2
    assert client.get("/admin/home/condition?cform=nothing&n=0", headers=EN).status_code == 404


def test_posted_rows_become_the_blocks_filter(crm) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    ws, client, _people = crm
    csrf = _sign_in(client, "root", "correct horse 1")
    version = re.search(r'name="version" value="(\d+)"', client.get("/admin/home").text).group(1)  # type: ignore[union-attr]
    base: dict[str, Any] = {"csrf_token": csrf, "version": version, "block": "attention", "form": "payment",
                            "label_zh": "待确认回款", "label_en": "Pending payments", "limit": "5"}
    missing = client.post("/admin/home/finance/add", headers=EN,
                          data={**base, "cf_0": "amount", "co_0": "gt", "cv_0": ""})
    assert missing.status_code == 400 and "Condition 1 (Amount): choose or type the value" in missing.text
    added = client.post("/admin/home/finance/add", follow_redirects=False, data={
        **base, "cf_0": "status", "co_0": "in", "cv_0": ["pending", "confirmed"],
        "cf_3": "owner", "co_3": "eq", "cv_3": "$me", "cf_4": "amount", "co_4": "gt", "cv_4": "1000"})
    assert added.status_code == 303
    block = ws.definitions.home.roles["finance"][-1]
    assert [(f.field, f.op, f.value) for f in block.filters] == [
        ("status", "in", ("pending", "confirmed")), ("owner", "eq", "$me"), ("amount", "gt", 1000)]


def test_a_blocks_conditions_are_edited_with_the_builder(crm) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    ws, client, _people = crm
    csrf = _sign_in(client, "root", "correct horse 1")
    page = client.get("/admin/home", headers=EN).text
    assert "Edit the conditions (2)" in page  # the contracts block: status and end date
    # the payments block's current condition, drawn as a row: Status · is · Pending (by label)
    assert '<option value="pending" selected>Pending</option>' in page
    assert '<option value="next_n_days" selected>is in the next N days</option>' in page
    version = re.search(r'name="version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    saved = client.post("/admin/home/finance/1/conditions", follow_redirects=False, data={
        "csrf_token": csrf, "version": version, "cf_0": "status", "co_0": "eq", "cv_0": "confirmed",
        "cf_1": "paid_date", "co_1": "lt", "cv_1": ["$today", ""]})
    assert saved.status_code == 303
    block = ws.definitions.home.roles["finance"][1]
    assert [(f.field, f.op, f.value) for f in block.filters] == [("status", "eq", "confirmed"), ("paid_date", "lt", "$today")]
    assert block.sort == "paid_date" and block.label == {"zh": "待确认的回款", "en": "Payments to confirm"}
    version = str(int(version) + 1)
    bad = client.post("/admin/home/finance/1/conditions", headers=EN, data={
        "csrf_token": csrf, "version": version, "cf_0": "amount", "co_0": "between", "cv_0": ["5", ""]})
    assert bad.status_code == 400 and "Condition 1 (Amount): &#39;between&#39; needs a lower and an upper value" in bad.text
    gone = client.post("/admin/home/finance/40/conditions", headers=EN, data={"csrf_token": csrf, "version": version})
    assert gone.status_code == 409
    date_row = client.get("/admin/home/condition?cform=payment&n=0&cf_0=paid_date&co_0=lt", headers=EN).text
    assert 'value="$today"' in date_row and "Today (when shown)" in date_row and 'type="date"' in date_row
