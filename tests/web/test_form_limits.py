"""A posted form past a limit — a value over 1 MB, more than 1,000 values, more files than allowed, a broken
multipart body — is answered 413/400 with the limit named in the user's language, wherever the form is first
read (the CSRF check, /login, an endpoint reached with the token in a header), and nothing is written."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from engine.storage.database import read_transaction
from tests.web.test_web import PASSWORD, csrf_of, sign_in
from web.app import create_app

BIG = "x" * (1024 * 1024 + 100)


@pytest.fixture
def client(shop):  # type: ignore[no-untyped-def]
    with TestClient(create_app(shop), base_url="http://testserver") as c:
        yield c


def written(ws) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    """Rows in the tables a refused post could have touched."""
    import sqlalchemy as sa

    with read_transaction(ws.engine) as conn:
        names = sa.inspect(conn).get_table_names()
        return tuple(conn.execute(sa.text(f'SELECT COUNT(*) FROM "{n}"')).scalar_one() for n in sorted(names))


def test_a_value_over_1_mb_is_413_in_the_users_language(shop, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client)
    before = written(shop)
    for path, data in [("/apps/sales/customer/new", {"name": BIG}),
                       ("/apps/sales/customer/views", {"name": BIG, "query": ""}),
                       ("/apps/sales/customer/1/comments", {"body": BIG}),
                       ("/settings/tokens", {"name": BIG})]:
        response = client.post(path, data={"csrf_token": token, **data})
        assert response.status_code == 413, path
        assert "有一项内容超过 1 MB,请缩短后再提交" in response.text, path
    client.get("/lang/en", follow_redirects=False)
    response = client.post("/apps/sales/customer/new", data={"csrf_token": token, "name": BIG})
    assert response.status_code == 413 and "One value is larger than 1 MB; shorten it and send again" in response.text
    assert written(shop) == before


def test_more_than_1000_values_is_413_naming_the_batch_limit(shop, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client)
    before = written(shop)
    ids = [("ids", str(n)) for n in range(1, 10_001)]
    response = client.post("/apps/sales/customer/batch", content="&".join(
        f"{k}={v}" for k, v in [("csrf_token", token), ("action", "delete"), *ids]),
        headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    assert "批量操作每次最多选择 1000 条记录" in response.text
    assert written(shop) == before


def test_signing_in_with_a_huge_password_is_413_not_500(shop, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    login = client.get("/login")
    response = client.post("/login", data={"username": "alice", "password": BIG, "csrf_token": csrf_of(login.text)})
    assert response.status_code == 413 and "有一项内容超过 1 MB" in response.text
    response = client.post("/login", data={"username": "alice", "password": PASSWORD, "next": "/",
                                           "csrf_token": csrf_of(login.text)}, follow_redirects=False)
    assert response.status_code == 303  # the refusal left the session usable


def test_the_limit_holds_where_the_endpoint_reads_the_form_itself(shop, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client)
    before = written(shop)
    headers = {"x-csrf-token": token, "hx-request": "true"}  # the CSRF check needs no form: the view parses it
    response = client.post("/apps/sales/customer/new", data={"name": BIG}, headers=headers)
    assert response.status_code == 413
    assert response.json()["error"] == {"code": "value_too_large", "message": {
        "zh": "有一项内容超过 1 MB,请缩短后再提交", "en": "One value is larger than 1 MB; shorten it and send again"}}
    response = client.post("/apps/sales/customer/preview", content="&".join(f"f{n}=1" for n in range(1001)),
                           headers={**headers, "content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_many_fields"
    assert written(shop) == before


def test_a_broken_multipart_body_is_400(shop, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client)
    for content_type in ("multipart/form-data", "multipart/form-data; boundary=zz"):
        response = client.post("/apps/sales/customer/new", content=b"--zz\r\nnot a part\r\n",
                               headers={"content-type": content_type, "x-csrf-token": token})
        assert response.status_code == 400, content_type
        assert "表单格式有误,请刷新页面后重试" in response.text


def test_too_many_files_is_413(shop, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client)
    files = [("f", (f"{n}.txt", b"x", "text/plain")) for n in range(21)]
    response = client.post("/apps/sales/customer/new", data={"csrf_token": token}, files=files)
    assert response.status_code == 413 and "一次最多上传 20 个文件" in response.text
