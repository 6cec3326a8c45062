"""What field types tell the screens: widgets, posted-form reading, input values, references, list and filter
flags, display kinds; and the three types that prove it (description, location, system fields)."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest
from starlette.datastructures import FormData

from engine.fields.registry import field_type, record_target, type_names
from engine.fields.screen import DEPARTMENT, RECORD, USER, BareFiles, PostedForm, Reference
from tests.engine.fields.fieldkit import SHANGHAI, SAMPLES, fd


def posted(*pairs: tuple[str, str]) -> PostedForm:
    return PostedForm(FormData(list(pairs)), SHANGHAI)


@pytest.mark.parametrize("name,widget", [
    ("text", "text"), ("textarea", "textarea"), ("rich_text", "rich_text"), ("integer", "integer"),
    ("number", "number"), ("money", "number"), ("percent", "number"), ("rating", "rating"), ("date", "date"),
    ("datetime", "datetime"), ("time", "time"), ("boolean", "boolean"), ("select", "select"), ("radio", "radio"),
    ("multi_select", "choices"), ("checkbox", "choices"), ("tags", "tags"), ("email", "email"), ("phone", "phone"),
    ("url", "url"), ("address", "address"), ("location", "location"), ("user", "picker"), ("users", "picker"),
    ("department", "picker"), ("departments", "picker"), ("relation", "picker"), ("relation_many", "picker"),
    ("file", "uploader"), ("image", "uploader"), ("signature", "signature"), ("description", "description"),
    *((n, "system") for n in ("created_by", "created_at", "updated_by", "updated_at", "flow_node", "flow_assignees")),
])
def test_each_type_names_its_widget(name: str, widget: str) -> None:
    assert field_type(name).widget_name(fd(name, **SAMPLES[name][0])) == widget


def test_every_widget_a_type_names_has_its_partial() -> None:
    from pathlib import Path

    folder = Path(__file__).parents[3] / "web" / "templates" / "widgets"
    drawn = {field_type(n).widget_name(fd(n, **SAMPLES[n][0])) for n in type_names()
             if not field_type(n).computed or field_type(n).shows_itself}
    drawn -= {field_type(n).widget_name(fd(n)) for n in type_names()
              if field_type(n).layout_only and not field_type(n).shows_itself}  # a divider draws no input
    drawn -= {"subform"}  # the edit page lays out its rows itself
    assert {w for w in drawn if not (folder / f"{w}.html").is_file()} == set()


@pytest.mark.parametrize("name,props,data,expected", [
    ("text", {}, [("f", " hi ")], " hi "),
    ("text", {}, [], ""),
    ("boolean", {}, [("f", "on")], True),
    ("boolean", {}, [], False),
    ("multi_select", {}, [("f", "a"), ("f", ""), ("f", "b")], ["a", "b"]),
    ("multi_select", {}, [], None),
    ("users", {}, [("f", "3"), ("f", "4")], ["3", "4"]),
    ("user", {}, [("f", "3")], "3"),
    ("tags", {}, [("f", "vip, 大客户")], "vip, 大客户"),
    ("address", {}, [("f.province", "广东省"), ("f.city", "深圳市")],
     {"province": "广东省", "city": "深圳市", "district": "", "detail": ""}),
    ("address", {}, [], None),
    ("location", {}, [("f.lat", " 22.54 "), ("f.lng", "113.95"), ("f.address", "深圳湾")],
     {"lat": "22.54", "lng": "113.95", "address": "深圳湾"}),
    ("location", {}, [("f.lat", ""), ("f.lng", ""), ("f.address", " ")], None),
    ("datetime", {}, [("f", "2024-03-15T10:30")], "2024-03-15T10:30:00+08:00"),
    ("datetime", {}, [("f", "not a time")], "not a time"),
    ("file", {}, [("f", "a1"), ("f", "b2")], [{"id": "a1", "name": ""}, {"id": "b2", "name": ""}]),
    ("file", {}, [], None),
    ("signature", {}, [("f", "s1"), ("f.png", "")], {"id": "s1", "name": ""}),
    ("signature", {}, [("f", ""), ("f.png", "")], None),
])
def test_each_type_reads_its_posted_inputs(name: str, props: dict[str, Any], data: list[tuple[str, str]],
                                          expected: Any) -> None:
    f = fd(name, **props)
    assert field_type(name).read_posted(f, posted(*data), "f") == expected


def test_a_subform_reads_its_rows_column_by_column_and_skips_blank_rows() -> None:
    sub = fd("subform", id="items", fields=[{"id": "product", "type": "relation", "to": "product"},
                                            {"id": "tags", "type": "multi_select", "options": ["a", "b"]},
                                            {"id": "qty", "type": "integer"},
                                            {"id": "total", "type": "formula", "result": "money", "formula": "qty * 2"}])
    form = posted(("items.rows", "3"), ("items[0].product", "5"), ("items[0].tags", "a"), ("items[0].tags", "b"),
                  ("items[0].qty", "2"), ("items[1].qty", ""), ("items[2].qty", "7"), ("items[2].total", "99"))
    rows = field_type("subform").read_posted(sub, form, "items")
    assert rows == [{"product": "5", "tags": ["a", "b"], "qty": "2"}, {"product": "", "tags": None, "qty": "7"}]


def test_posted_files_go_through_the_given_store() -> None:
    class Store(BareFiles):
        def files(self, ids: list[str]) -> list[dict[str, Any]] | None:
            return [{"id": i, "name": f"{i}.pdf"} for i in ids] or None

    form = PostedForm(FormData([("f", "x")]), timezone.utc, Store())
    assert field_type("file").read_posted(fd("file"), form, "f") == [{"id": "x", "name": "x.pdf"}]


@pytest.mark.parametrize("name,props,expected", [
    ("user", {}, Reference(USER)), ("users", {}, Reference(USER)), ("department", {}, Reference(DEPARTMENT)),
    ("departments", {}, Reference(DEPARTMENT)), ("relation", {"to": "client"}, Reference(RECORD, "client")),
    ("relation_many", {"to": "client"}, Reference(RECORD, "client")), ("created_by", {}, Reference(USER)),
    ("updated_by", {}, Reference(USER)), ("flow_assignees", {}, Reference(USER)), ("text", {}, None),
    ("lookup", {"path": "client.owner"}, None), ("integer", {}, None), ("location", {}, None),
])
def test_what_a_type_refers_to(name: str, props: dict[str, Any], expected: Reference | None) -> None:
    f = fd(name, **props)
    assert field_type(name).refers_to(f) == expected
    assert record_target(f) == (expected.form if expected is not None and expected.kind == RECORD else None)


@pytest.mark.parametrize("name,value,shown", [
    ("datetime", datetime(2024, 3, 15, 2, 30, tzinfo=timezone.utc), "2024-03-15T10:30"),
    ("datetime", "2024-03-15T10:30", "2024-03-15T10:30"),
    ("tags", "a, b", ["a", "b"]), ("tags", ["a"], ["a"]), ("users", None, []), ("text", None, ""),
    ("address", None, {}), ("money", Decimal("12.50"), "12.50"), ("money", Decimal("12.00"), "12"),
    ("location", {"lat": 22.5, "lng": 113.9}, {"lat": "22.5", "lng": "113.9", "address": ""}),
    ("location", None, {}),
])
def test_input_values(name: str, value: Any, shown: Any) -> None:
    assert field_type(name).input_value(fd(name), value, SHANGHAI) == shown


@pytest.mark.parametrize("name,props,kind", [
    ("select", {"options": ["a"]}, "options"), ("multi_select", {"options": ["a"]}, "options"), ("tags", {}, "text"),
    ("user", {}, "choices"), ("relation_many", {"to": "x"}, "choices"), ("boolean", {}, "boolean"),
    ("date", {}, "date"), ("datetime", {}, "datetime-local"), ("money", {}, "number"), ("time", {}, "text"),
    ("text", {}, "text"), ("formula", {"result": "date", "formula": "TODAY()"}, "date"),
])
def test_filter_inputs(name: str, props: dict[str, Any], kind: str) -> None:
    f = fd(name, **props)
    assert field_type(name).result_type(f).filter_input(f) == kind


def test_lists_filters_and_sorting_follow_the_type() -> None:
    in_lists = {n for n in type_names() if field_type(n).in_lists}
    hidden = {"subform", "rich_text", "textarea", "file", "image", "signature", "divider", "location", "description"}
    assert hidden.isdisjoint(in_lists) and {"text", "money", "created_at", "flow_node"} <= in_lists
    filterable = {n for n in type_names() if field_type(n).filterable(fd(n, **SAMPLES[n][0]))}
    assert {"subform", "lookup", "rollup", "divider", "description", "created_by", "flow_node"}.isdisjoint(filterable)
    assert {"text", "user", "location", "tags"} <= filterable
    sortable = {n for n in type_names() if field_type(n).sortable(fd(n, **SAMPLES[n][0]))}
    assert {"time", "date", "money", "user", "boolean", "select"} <= sortable
    assert {"rollup", "tags", "address", "created_at"}.isdisjoint(sortable)


@pytest.mark.parametrize("name,kind,decimals", [
    ("money", "number", 2), ("integer", "number", 0), ("rating", "number", 0), ("percent", "percent", 2),
    ("rollup", "number", None), ("date", "date", None), ("users", "names", None), ("subform", "subform", None),
    ("created_at", "datetime", None), ("created_by", "names", None), ("flow_node", "text", None),
    ("text", "text", None), ("boolean", "boolean", None),
])
def test_spreadsheet_cells(name: str, kind: str, decimals: int | None) -> None:
    f = fd(name, **SAMPLES[name][0])
    assert (field_type(name).cell_kind(f), field_type(name).decimals(f)) == (kind, decimals)


def test_uploads_are_declared_by_their_types() -> None:
    from engine.files.policy import MEDIA_TYPES, allowed_kinds, holds_files, max_bytes

    assert MEDIA_TYPES == {"file", "image", "signature"}
    assert [max_bytes(fd(n)) // 1048576 for n in ("file", "image", "signature")] == [20, 10, 1]
    assert [k.mime for k in allowed_kinds(fd("signature"))] == ["image/png"]
    assert all(k.mime.startswith("image/") for k in allowed_kinds(fd("image")))
    assert holds_files(fd("image")) and not holds_files(fd("text"))


# -- description -------------------------------------------------------------------------------------------

def test_description_shows_sanitised_content_in_the_reader_s_language() -> None:
    ftype = field_type("description")
    f = fd("description", content={"zh": "<p>请<b>先</b>阅读<script>alert(1)</script></p>",
                                   "en": '<p><a href="javascript:alert(1)" onclick="x()">Read</a> first</p>'})
    assert ftype.content_html(f, "zh") == "<p>请<b>先</b>阅读</p>"
    assert "javascript" not in ftype.content_html(f, "en") and "onclick" not in ftype.content_html(f, "en")
    assert ftype.content_html(fd("description"), "zh") == ""
    assert ftype.layout_only and not ftype.stored and ftype.shows_itself and not ftype.in_lists
    assert ftype.columns(f) == [] and ftype.to_json(f, "x") is None and ftype.format(f, None) == ""


# -- location ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw,expected", [
    ({"lat": "22.54", "lng": "113.95", "address": " 深圳湾 "}, {"lng": 113.95, "lat": 22.54, "address": "深圳湾"}),
    ({"lat": "-90", "lng": "180", "address": ""}, {"lng": 180.0, "lat": -90.0}),
])
def test_location_from_a_form(raw: dict[str, str], expected: dict[str, Any]) -> None:
    from engine.fields.base import FORM

    assert field_type("location").parse(fd("location"), raw, FORM) == expected


@pytest.mark.parametrize("raw", [
    {"lat": "91", "lng": "0", "address": ""}, {"lat": "0", "lng": "-180.5", "address": ""},
    {"lat": "", "lng": "113", "address": "somewhere"}, {"lat": "nan", "lng": "1", "address": ""},
])
def test_location_out_of_range_or_missing_coordinates_is_refused(raw: dict[str, str]) -> None:
    from engine.errors import FieldValueError
    from engine.fields.base import FORM

    with pytest.raises(FieldValueError) as info:
        field_type("location").parse(fd("location"), raw, FORM)
    assert "-90" in info.value.error.message("zh") and "180" in info.value.error.message("en")


# -- system fields -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,fact", [
    ("created_by", "created_by"), ("created_at", "created_at"), ("updated_by", "updated_by"),
    ("updated_at", "updated_at"), ("flow_node", "flow_nodes"), ("flow_assignees", "flow_assignees"),
])
def test_system_fields_show_a_fact_and_are_never_written(name: str, fact: str) -> None:
    ftype = field_type(name)
    assert ftype.system_fact == fact and ftype.computed and not ftype.stored and ftype.shows_itself
    assert ftype.json_schema(fd(name))["readOnly"] is True
    assert ftype.columns(fd(name)) == []


def test_system_fields_format() -> None:
    moment = datetime(2024, 3, 15, 2, 30, tzinfo=timezone.utc)
    assert field_type("created_at").format(fd("created_at"), moment, "zh", SHANGHAI) == \
        field_type("datetime").format(fd("datetime"), moment, "zh", SHANGHAI)
    steps = [{"zh": "经理审批", "en": "Manager"}, {"zh": "财务", "en": "Finance"}]
    assert field_type("flow_node").format(fd("flow_node"), steps, "en") == "Manager / Finance"
    assert field_type("flow_node").format(fd("flow_node"), [], "zh") == ""
    assert field_type("flow_assignees").format(fd("flow_assignees"), [3, 4], "zh") == "#3、#4"
    assert field_type("created_at").to_json(fd("created_at"), moment) == "2024-03-15T02:30:00+00:00"
