"""The designer's rename (and removal) of a field follows the form's record-header settings (`status:`,
`key_fields:`) and its board settings (`kanban: {by, card_fields, sum}`), as it follows the layout and rules: the
draft stays valid. On SQLite and PostgreSQL (the `shop` fixture) through drafts, and on the YAML text alone."""

from __future__ import annotations

from typing import Any

import pytest

from engine.definitions.editing import edit_text

DEAL = "shop/sales/forms/deal.yaml"
TEXT = """form: deal
label: {zh: 交易, en: Deal}
title: name
status: stage
key_fields: [amount, rep, due]
kanban: {by: stage, card_fields: [amount, rep], sum: amount}
fields:
  - {id: name, type: text, label: {zh: 名称, en: Name}}
  - id: stage
    type: select
    label: {zh: 阶段, en: Stage}
    options: [{value: open, label: {zh: 进行中, en: Open}}, {value: won, label: {zh: 赢单, en: Won}}]
  - {id: amount, type: money, label: {zh: 金额, en: Amount}}
  - {id: rep, type: user, label: {zh: 负责人, en: Rep}}
  - {id: due, type: date, label: {zh: 截止, en: Due}}
layout:
  - [name, stage]
  - [amount, rep, due]
"""


@pytest.mark.parametrize(("old", "new", "where"), [
    ("stage", "phase", ["status: phase", "by: phase"]),
    ("amount", "value", ["key_fields: [value, rep, due]", "card_fields: [value, rep]", "sum: value"]),
    ("rep", "owner", ["key_fields: [amount, owner, due]", "card_fields: [amount, owner]"]),
    ("due", "close_on", ["key_fields: [amount, rep, close_on]"]),
])
def test_a_renamed_field_is_renamed_in_the_header_and_board_settings(shop: Any, old: str, new: str,
                                                                     where: list[str]) -> None:
    alice = 1
    shop.drafts.create(DEAL, alice, TEXT)
    assert shop.drafts.problems(shop.drafts.open(DEAL, alice)) == []
    draft = shop.drafts.edit(DEAL, alice, {"op": "rename_field", "id": old, "new_id": new})
    for line in where:
        assert line in draft.text
    assert f" {old}," not in draft.text and f"[{old}" not in draft.text and f": {old}\n" not in draft.text
    assert shop.drafts.problems(draft) == []  # still a valid form
    form = draft.doc
    assert new in [f["id"] for f in form["fields"]]


def test_the_renamed_form_publishes_and_its_board_and_header_use_the_new_field(shop: Any) -> None:
    alice = 1
    shop.drafts.create(DEAL, alice, TEXT)
    for old, new in (("stage", "phase"), ("amount", "value"), ("rep", "owner")):
        shop.drafts.edit(DEAL, alice, {"op": "rename_field", "id": old, "new_id": new})
    shop.drafts.publish(DEAL, alice, "renamed before the first publish")
    form = shop.definitions.forms["deal"]
    assert form.status == "phase" and form.key_fields == ("value", "owner", "due")
    assert form.kanban.by == "phase" and form.kanban.card_fields == ("value", "owner") and form.kanban.sum == "value"


def test_a_removed_field_leaves_the_settings_and_they_fall_back_to_their_defaults() -> None:
    text = edit_text(TEXT, "deal.yaml", {"op": "remove_field", "id": "stage"})
    assert "status:" not in text and "by:" not in text
    assert "kanban: {card_fields: [amount, rep], sum: amount}" in text
    text = edit_text(text, "deal.yaml", {"op": "remove_field", "id": "amount"})
    assert "key_fields: [rep, due]" in text and "kanban: {card_fields: [rep]}" in text
    text = edit_text(text, "deal.yaml", {"op": "remove_field", "id": "rep"})
    assert "key_fields: [due]" in text and "kanban: {card_fields: []}" in text  # the author's "no fields" stays
    text = edit_text(text, "deal.yaml", {"op": "remove_field", "id": "due"})
    assert "key_fields" not in text
