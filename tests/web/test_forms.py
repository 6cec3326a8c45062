"""Generated forms: create with a subform and a relation, errors at the field, double submit, edit conflicts."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from tests.web.test_web import client, csrf_of, sign_in  # noqa: F401  (fixture)


def form_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="(csrf_token|submit_token|version)" value="([^"]+)"', html))


def test_create_order_with_items_and_relation(client: TestClient) -> None:  # noqa: F811
    sign_in(client)
    product = client.post("/apps/sales/product/new", data={**form_fields(client.get("/apps/sales/product/new").text),
                                                            "name": "服务器", "price": "1200"}, follow_redirects=False)
    assert product.status_code == 303
    product_id = product.headers["location"].rsplit("/", 1)[1]
    page = client.get("/apps/sales/order/new")
    assert page.status_code == 200 and 'name="items[0].quantity"' in page.text
    assert '<option value="new" selected>' in page.text and 'value="2024-03-15"' in page.text  # defaults
    options = client.get("/apps/sales/order/pick/customer", params={"q": "华联"}).text  # the type-ahead picker
    customer_id = re.search(r'data-value="(\d+)" data-label="华联电子"', options).group(1)  # type: ignore[union-attr]
    data = {**form_fields(page.text), "customer": customer_id, "status": "new", "items.rows": "3",
            "items[0].product": product_id, "items[0].quantity": "2", "items[0].price": "1200.50",
            "ordered_on": "2024-03-10"}
    created = client.post("/apps/sales/order/new", data=data, follow_redirects=False)
    assert created.status_code == 303, created.text
    record = client.get(created.headers["location"])
    assert "SO-202403-0001" in record.text and "¥2,401.00" in record.text
    again = client.post("/apps/sales/order/new", data=data, follow_redirects=False)  # the same form submitted twice
    assert again.headers["location"] == created.headers["location"]
    assert "1 条记录" in client.get("/apps/sales/order").text


def test_errors_are_shown_at_the_field(client: TestClient) -> None:  # noqa: F811
    sign_in(client)
    page = client.get("/apps/sales/order/new", headers={"accept-language": "en"})
    data = {**form_fields(page.text), "status": "cancelled", "ship_by": "2024-01-01", "ordered_on": "2024-03-10",
            "items.rows": "1", "items[0].quantity": "0"}
    response = client.post("/apps/sales/order/new", data=data, headers={"accept-language": "en"})
    assert response.status_code == 422
    assert "Customer is required" in response.text and "Cancel reason is required" in response.text
    assert "Ship-by date cannot be before the order date" in response.text
    assert 'value="2024-01-01"' in response.text  # the input is kept


def test_edit_conflict_shows_the_saved_value(client: TestClient) -> None:  # noqa: F811
    sign_in(client)
    listing = client.get("/apps/sales/customer")
    record_url = re.search(r'href="(/apps/sales/customer/\d+)"', listing.text).group(1)  # type: ignore[union-attr]
    mine = client.get(record_url + "/edit")
    theirs = client.get(record_url + "/edit")
    saved = client.post(record_url + "/edit", data={**form_fields(theirs.text), "name": "华联电子", "notes": "theirs"},
                        follow_redirects=False)
    assert saved.status_code == 303
    conflict = client.post(record_url + "/edit", data={**form_fields(mine.text), "name": "华联电子", "notes": "mine"})
    assert conflict.status_code == 409
    assert "有人刚刚修改了这条记录" in conflict.text and "theirs" in conflict.text and ">mine</textarea>" in conflict.text
    retry = client.post(record_url + "/edit", data={**form_fields(conflict.text), "name": "华联电子", "notes": "mine"},
                        follow_redirects=False)
    assert retry.status_code == 303
    assert "mine" in client.get(record_url).text


def test_delete_recycle_bin_and_restore(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    listing = client.get("/apps/sales/customer")
    record_url = re.search(r'href="(/apps/sales/customer/\d+)"', listing.text).group(1)  # type: ignore[union-attr]
    assert client.post(record_url + "/delete", follow_redirects=False).status_code == 403  # CSRF
    deleted = client.post(record_url + "/delete", data={"csrf_token": token}, follow_redirects=False)
    assert deleted.status_code == 303
    assert client.get(record_url).status_code == 404
    assert "暂无数据" in client.get("/apps/sales/customer").text
    bin_page = client.get("/apps/sales/customer/bin")
    assert "华联电子" in bin_page.text
    restored = client.post(record_url + "/restore", data={"csrf_token": token}, follow_redirects=False)
    assert restored.headers["location"] == record_url
    assert "回收站是空的" in client.get("/apps/sales/customer/bin").text
