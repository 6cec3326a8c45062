"""The designer's rules: the list of the form's rules, add / edit / move / remove each as one operation on the
draft, a bad condition shown at its rule, incomplete rules refused with the reason."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from tests.web.test_web import client, sign_in  # noqa: F401  (fixture)

ORDER = "shop/sales/forms/order.yaml"
URL = "/design/forms/order/rules"
EN = {"accept-language": "en"}


def draft_text(c: TestClient) -> str:
    return str(c.app.state.ws.drafts.open(ORDER, 1).text)  # type: ignore[attr-defined]


def rules_of(c: TestClient) -> str:
    return draft_text(c).split("rules:", 1)[1].split("layout:", 1)[0]


def seen(c: TestClient) -> str:
    """The fingerprint of the rules as the editor last drew them (a post from an older drawing is refused)."""
    found = re.search(r'name="seen" value="([^"]*)"', c.get(URL).text)
    assert found
    return found.group(1)


def card(html: str, index: int) -> str:
    return html.split(f'data-rule="{index}"', 1)[1].split("data-rule=", 1)[0]


def test_rules_are_listed_with_their_kind_fields_and_condition(client: TestClient) -> None:  # noqa: F811
    sign_in(client)
    page = client.get(URL, headers=EN)
    assert page.status_code == 200
    first = card(page.text, 0)
    assert '<option value="show" selected>Show when</option>' in first
    assert 'name="fields" value="cancel_reason" checked' in first
    assert "status = &#39;cancelled&#39;</textarea>" in first
    check = card(page.text, 2)
    assert '<option value="check" selected>Check on save</option>' in check
    assert 'value="Ship-by date cannot be before the order date"' in check


def test_add_edit_move_remove(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    added = client.post(f"{URL}?do=add", data={"csrf_token": token, "kind": "readonly", "fields": ["discount", "ship_by"],
                                               "when": "status = 'paid'"}, headers=EN)
    assert added.status_code == 200 and added.headers["hx-trigger"] == "draft-changed"
    assert "- {readonly: [discount, ship_by], when: status = 'paid'}" in rules_of(client)
    assert 'data-rule="3"' in added.text
    edited = client.post(f"{URL}?do=change&index=3", data={
        "seen": seen(client), "csrf_token": token, "kind": "check", "check": "discount <= 50", "fields": ["discount"],
        "message.zh": "折扣不能超过 50%", "message.en": "At most 50% off"}, headers=EN)
    assert edited.status_code == 200
    rules = rules_of(client)
    assert "check: discount <= 50" in rules and "fields: [discount]" in rules and "At most 50% off" in rules
    assert "readonly" not in rules
    moved = client.post(f"{URL}?do=move&index=3", data={"seen": seen(client), "csrf_token": token, "to": "0"}, headers=EN)
    assert moved.status_code == 200
    assert rules_of(client).strip().startswith("- {check: discount <= 50")
    removed = client.post(f"{URL}?do=remove&index=0", data={"seen": seen(client), "csrf_token": token}, headers=EN)
    assert removed.status_code == 200 and "discount <= 50" not in rules_of(client)
    assert client.app.state.ws.drafts.undo(ORDER, 1).text.count("discount <= 50") == 1  # type: ignore[attr-defined]


def test_a_bad_condition_is_shown_at_its_rule(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    answer = client.post(f"{URL}?do=change&index=1", data={
        "seen": seen(client), "csrf_token": token, "kind": "require", "fields": ["cancel_reason"], "when": "staus = 'cancelled'"},
        headers=EN)
    assert answer.status_code == 200  # saved: the draft shows its problem and cannot be published
    bad = card(answer.text, 1)
    assert 'class="rule-card invalid" data-rule="1"' in answer.text
    assert 'class="rule-card" data-rule="0"' in answer.text
    assert "unknown field &#39;staus&#39;" in bad and "did you mean &#39;status&#39;" in bad
    assert "unknown field" not in card(answer.text, 0)
    check = client.post(f"/design/forms/order/formula?input=when", data={"csrf_token": token, "when": "staus = 1"},
                        headers=EN)
    assert "Error at character 1:" in check.text


def test_incomplete_rules_are_refused_with_the_reason(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    before = draft_text(client)
    no_fields = client.post(f"{URL}?do=add", data={"csrf_token": token, "kind": "show", "when": "1 = 1"}, headers=EN)
    assert no_fields.status_code == 400 and "Choose at least one field" in no_fields.text
    no_check = client.post(f"{URL}?do=change&index=2", data={"seen": seen(client), "csrf_token": token, "kind": "check", "check": ""},
                           headers=EN)
    assert no_check.status_code == 400 and "A check needs a formula" in card(no_check.text, 2)
    bad_kind = client.post(f"{URL}?do=add", data={"csrf_token": token, "kind": "explode", "fields": ["code"]},
                           headers=EN)
    assert bad_kind.status_code == 400 and "Unknown kind of rule" in bad_kind.text
    gone = client.post(f"{URL}?do=remove&index=9", data={"seen": seen(client), "csrf_token": token}, headers=EN)
    assert gone.status_code == 400 and re.search(r"no rule at that position", gone.text)
    unknown_field = client.post(f"{URL}?do=add", data={"csrf_token": token, "kind": "show", "fields": ["nope"]},
                                headers=EN)
    assert unknown_field.status_code == 400
    assert draft_text(client) == before


def test_a_post_from_an_older_drawing_is_not_applied(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    old = seen(client)
    client.post(f"{URL}?do=remove&index=0", data={"seen": old, "csrf_token": token})
    before = draft_text(client)
    stale = client.post(f"{URL}?do=remove&index=0", data={"seen": old, "csrf_token": token}, headers=EN)
    assert stale.status_code == 409 and "The draft changed elsewhere" in stale.text
    assert draft_text(client) == before
