"""The group-by and aggregate API (/api/v1/{form}/groupby, /aggregate) on SQLite and PostgreSQL: measures, labels of
options, users, relations and date buckets, the list's filters, the caller's scope and field access, and refusals
that name the problem."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from starlette.testclient import TestClient

from engine.records.model import Actor
from engine.reports.adhoc import MAX_GROUPS
from tests.conftest import add_user
from tests.web.test_api import bearer, error_of
from tests.web.test_web import sign_in
from web.app import create_app

ALICE = Actor(user_id=1, is_admin=True)
# (customer, status, ordered on, [(quantity, price)], discount, whose): totals 20.00, 30.00, 7.50, 100.00, 12.00
ORDERS = [
    ("Ann", "paid", date(2024, 1, 5), [(2, "10.00")], "0", "clerk"),
    ("Ann", "new", date(2024, 1, 20), [(3, "10.00")], "10", "alice"),
    ("Bob", "paid", date(2024, 2, 3), [(1, "7.50")], "0", "clerk"),
    ("Bob", "cancelled", date(2024, 4, 1), [(4, "25.00")], "50", "alice"),
    ("Cy", "paid", date(2024, 4, 30), [(1, "12.00")], None, "alice"),
]


@pytest.fixture
def shop_data(shop):  # type: ignore[no-untyped-def]
    """Customers Ann (A), Bob (A) and Cy (C); five orders, two of them the clerk's (user 2)."""
    clerk_id = add_user(shop, "carl", admin=False, roles=("clerk",))
    customers = {name: shop.records.create(ALICE, "customer", {"name": name, "grade": grade, "email": f"{name}@x.cn"}).id
                 for name, grade in (("Ann", "A"), ("Bob", "A"), ("Cy", "C"))}
    product = shop.records.create(ALICE, "product", {"name": "Widget", "price": "1.00"}).id
    for customer, status, on, items, discount, whose in ORDERS:
        values: dict[str, Any] = {"customer": customers[customer], "status": status, "ordered_on": on.isoformat(),
                                  "items": [{"product": product, "quantity": q, "price": p} for q, p in items],
                                  "discount": discount}
        if status == "cancelled":
            values["cancel_reason"] = "changed mind"
        shop.records.create(ALICE, "order", values, owner_id=clerk_id if whose == "clerk" else None)
    return shop, clerk_id, customers


@pytest.fixture
def client(shop_data):  # type: ignore[no-untyped-def]
    with TestClient(create_app(shop_data[0]), base_url="http://testserver") as c:
        yield c


def get(client: TestClient, shop, path: str, user_id: int = 1, **params: Any) -> Any:  # type: ignore[no-untyped-def]
    return client.get(f"/api/v1/{path}", params=params, headers=bearer(shop, user_id))


def test_groupby_an_option_field_gives_value_label_and_every_measure(shop_data, client: TestClient) -> None:
    shop = shop_data[0]
    response = get(client, shop, "order/groupby", field="status",
                   measure=["count", "sum:total", "avg:total", "min:total", "max:total", "sum:discount"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["fields"] == [{"field": "status", "label": {"zh": "状态", "en": "Status"}}]
    assert body["measures"] == ["count", "sum:total", "avg:total", "min:total", "max:total", "sum:discount"]
    groups = {g["keys"]["status"]["value"]: g for g in body["groups"]}
    assert [g["keys"]["status"]["value"] for g in body["groups"]] == ["new", "paid", "cancelled"]  # the options' order
    assert groups["paid"]["keys"]["status"]["label"] == {"zh": "已付款", "en": "Paid"}
    assert groups["paid"]["values"] == {"count": 3, "sum:total": "39.50", "avg:total": pytest.approx(39.5 / 3),
                                        "min:total": "7.50", "max:total": "20.00", "sum:discount": "0.00"}
    assert groups["cancelled"]["values"]["sum:total"] == "100.00"
    assert body["totals"]["count"] == 5 and body["totals"]["sum:total"] == "169.50"
    assert body["totals"]["avg:total"] == pytest.approx(169.5 / 5)
    assert body["totals"]["max:total"] == "100.00" and body["totals"]["sum:discount"] == "60.00"


def test_groupby_dates_by_bucket_relations_and_users(shop_data, client: TestClient) -> None:
    shop, clerk_id, customers = shop_data
    months = get(client, shop, "order/groupby", field="ordered_on:month", measure="sum:total").json()
    assert [(g["keys"]["ordered_on:month"]["value"], g["keys"]["ordered_on:month"]["label"], g["values"]["sum:total"])
            for g in months["groups"]] == [("2024-01-01", {"zh": "2024年1月", "en": "2024-01"}, "50.00"),
                                          ("2024-02-01", {"zh": "2024年2月", "en": "2024-02"}, "7.50"),
                                          ("2024-04-01", {"zh": "2024年4月", "en": "2024-04"}, "112.00")]
    quarters = get(client, shop, "order/groupby", field="ordered_on:quarter").json()
    assert [(g["keys"]["ordered_on:quarter"]["label"]["en"], g["values"]["count"]) for g in quarters["groups"]] == \
        [("2024 Q1", 3), ("2024 Q2", 2)]
    by_customer = get(client, shop, "order/groupby", field="customer", measure="sum:total").json()
    assert {(g["keys"]["customer"]["value"], g["keys"]["customer"]["label"]["en"], g["values"]["sum:total"])
            for g in by_customer["groups"]} == {(customers["Ann"], "Ann", "50.00"), (customers["Bob"], "Bob", "107.50"),
                                                (customers["Cy"], "Cy", "12.00")}
    by_grade = get(client, shop, "order/groupby", field="customer.grade").json()  # a field through the relation
    assert [(g["keys"]["customer.grade"]["value"], g["values"]["count"]) for g in by_grade["groups"]] == \
        [("A", 4), ("C", 1)]
    by_owner = get(client, shop, "order/groupby", field=["owner_id", "status"]).json()
    pairs = {(g["keys"]["owner_id"]["value"], g["keys"]["owner_id"]["label"]["en"], g["keys"]["status"]["value"]):
             g["values"]["count"] for g in by_owner["groups"]}
    assert pairs == {(1, "Alice", "new"): 1, (1, "Alice", "paid"): 1, (1, "Alice", "cancelled"): 1,
                     (clerk_id, "Carl", "paid"): 2}
    text = get(client, shop, "customer/groupby", field="name").json()
    assert [g["keys"]["name"] for g in text["groups"]][0] == {"value": "Ann", "label": {"zh": "Ann", "en": "Ann"}}


def test_the_lists_filter_and_search_narrow_the_groups(shop_data, client: TestClient) -> None:
    shop = shop_data[0]
    flt = '[{"field": "ordered_on", "op": "ge", "value": "2024-02-01"}]'
    body = get(client, shop, "order/groupby", field="status", measure="sum:total", filter=flt).json()
    assert {g["keys"]["status"]["value"]: g["values"]["sum:total"] for g in body["groups"]} == \
        {"paid": "19.50", "cancelled": "100.00"}
    searched = get(client, shop, "customer/aggregate", q="Bo").json()
    assert searched == {"measures": ["count"], "values": {"count": 1}}


def test_aggregate_gives_the_measures_over_every_record(shop_data, client: TestClient) -> None:
    shop = shop_data[0]
    response = get(client, shop, "order/aggregate", measure=["count", "sum:total", "min:total", "avg:discount"])
    assert response.status_code == 200, response.text
    assert response.json() == {"measures": ["count", "sum:total", "min:total", "avg:discount"],
                               "values": {"count": 5, "sum:total": "169.50", "min:total": "7.50",
                                          "avg:discount": 15.0}}  # a percent averages in its points, as sent
    empty = get(client, shop, "order/aggregate", measure=["count", "sum:total"],
                filter='[{"field": "ordered_on", "op": "gt", "value": "2030-01-01"}]').json()
    assert empty["values"] == {"count": 0, "sum:total": None}


def test_a_scoped_user_gets_the_sums_of_their_own_records(shop_data, client: TestClient) -> None:
    shop, clerk_id, _ = shop_data
    admin = get(client, shop, "order/aggregate", measure=["count", "sum:total"]).json()["values"]
    mine = get(client, shop, "order/aggregate", clerk_id, measure=["count", "sum:total"]).json()["values"]
    assert admin == {"count": 5, "sum:total": "169.50"}
    assert mine == {"count": 2, "sum:total": "27.50"}  # only the clerk's own two orders
    grouped = get(client, shop, "order/groupby", clerk_id, field="status", measure="sum:total").json()
    assert [(g["keys"]["status"]["value"], g["values"]["sum:total"]) for g in grouped["groups"]] == [("paid", "27.50")]
    assert grouped["totals"]["sum:total"] == "27.50"


def test_a_field_the_caller_cannot_read_cannot_be_grouped_measured_or_filtered(shop_data, client: TestClient) -> None:
    shop, clerk_id, _ = shop_data
    for params in ({"field": "email"}, {"field": "grade", "filter": '[{"field": "email", "op": "eq", "value": "a"}]'}):
        response = get(client, shop, "customer/groupby", clerk_id, **params)
        assert response.status_code == 403, response.text
        assert "email" in error_of(response)["message"]["en"] and "email" in error_of(response)["message"]["zh"]
    assert get(client, shop, "customer/groupby", field="email").status_code == 200  # the administrator sees it
    assert get(client, shop, "customer/aggregate", q="x.cn").json()["values"] == {"count": 3}
    assert get(client, shop, "customer/aggregate", clerk_id, q="x.cn").json()["values"] == {"count": 0}  # not searched
    assert get(client, shop, "customer/groupby", clerk_id, field="grade").status_code == 200
    assert get(client, shop, "product/aggregate", clerk_id).status_code == 403  # no read right on the form
    assert get(client, shop, "product/groupby", clerk_id, field="name").status_code == 403


@pytest.mark.parametrize("path, params, code, named", [
    ("order/groupby", {"field": "nope"}, "group_unknown_field", "nope"),
    ("order/groupby", {}, "missing_param", "field"),
    ("order/groupby", {"field": "status:month"}, "not_bucketable", "status"),
    ("order/groupby", {"field": "ordered_on:decade"}, "bad_bucket", "decade"),
    ("order/groupby", {"field": "items"}, "not_groupable", "items"),
    ("order/groupby", {"field": "status", "measure": "sum:status"}, "not_measurable", "status"),
    ("order/groupby", {"field": "status", "measure": "sum:customer"}, "not_measurable", "customer"),
    ("order/aggregate", {"measure": "median:total"}, "bad_measure", "median:total"),
    ("order/aggregate", {"measure": "sum"}, "bad_measure", "sum"),
    ("order/aggregate", {"measure": "count:total"}, "bad_measure", "count:total"),
    ("order/aggregate", {"measure": "sum:nope"}, "group_unknown_field", "nope"),
    ("order/aggregate", {"filter": "[1]"}, "bad_filter", "filter"),
    ("order/groupby", {"field": ["status", "customer", "ordered_on", "owner_id"]}, "too_many_params", "field"),
])
def test_bad_input_is_a_400_naming_the_problem(shop_data, client: TestClient, path: str, params: dict[str, Any],
                                               code: str, named: str) -> None:
    response = get(client, shop_data[0], path, **params)
    assert response.status_code == 400, response.text
    error = error_of(response)
    assert error["code"] == code and named in error["message"]["en"] and named in error["message"]["zh"]


def test_too_many_groups_is_refused_naming_the_cap(shop_data, client: TestClient) -> None:
    shop = shop_data[0]
    shop.records.create_many(ALICE, "customer", [{"name": f"C{i}"} for i in range(MAX_GROUPS)])
    response = get(client, shop, "customer/groupby", field="name")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "too_many_groups" and f"{MAX_GROUPS}" in error["message"]["en"]
    assert get(client, shop, "customer/groupby", field="grade").json()["totals"]["count"] == MAX_GROUPS + 3


def test_other_methods_get_405_and_an_unknown_form_404(shop_data, client: TestClient) -> None:
    shop = shop_data[0]
    assert client.post("/api/v1/order/groupby", headers=bearer(shop)).status_code == 405
    assert client.delete("/api/v1/order/aggregate", headers=bearer(shop)).status_code == 405
    assert get(client, shop, "nope/aggregate").status_code == 404
    assert client.get("/api/v1/order/aggregate").status_code == 401


def test_the_document_lists_the_groupings_and_measures_each_caller_may_use(shop_data, client: TestClient) -> None:
    shop, clerk_id, _ = shop_data

    def param(doc: dict[str, Any], path: str, name: str) -> list[str]:
        found = next(p for p in doc["paths"][path]["get"]["parameters"] if p["name"] == name)
        return list(found["schema"]["items"]["anyOf"][0]["enum"])

    admin = client.get("/api/openapi.json", headers=bearer(shop)).json()
    clerk = client.get("/api/openapi.json", headers=bearer(shop, clerk_id)).json()
    assert {"ordered_on:month", "status", "customer", "owner_id"} <= set(param(admin, "/api/v1/order/groupby", "field"))
    assert {"count", "sum:total", "avg:discount"} <= set(param(admin, "/api/v1/order/aggregate", "measure"))
    assert "email" in param(admin, "/api/v1/customer/groupby", "field")
    assert "email" not in param(clerk, "/api/v1/customer/groupby", "field")  # hidden from the clerk
    assert "/api/v1/product/groupby" not in clerk["paths"]  # a form the clerk may not read
    values = admin["paths"]["/api/v1/order/aggregate"]["get"]["responses"]["200"]["content"]["application/json"]
    assert values["schema"]["properties"]["values"]["properties"]["count"] == {"type": "integer", "minimum": 0}


@pytest.mark.parametrize("lang, words", [("zh", ("API 文档", "参数", "响应")), ("en", ("API reference", "Parameter"))])
def test_the_reference_page_shows_both_operations(shop_data, client: TestClient, lang: str,
                                                   words: tuple[str, ...]) -> None:
    sign_in(client)
    client.get(f"/lang/{lang}")
    page = client.get("/api/docs").text
    for op in ("groupByOrder", "aggregateOrder", "groupByCustomer"):
        assert f'id="{op}"' in page and f'href="#{op}"' in page
    assert "/api/v1/order/groupby" in page and "too_many_groups" in page
    for word in words:
        assert word in page
