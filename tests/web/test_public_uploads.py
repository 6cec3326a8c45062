"""Files on a public form: only for the file and image fields the link allows (`uploads:`), checked as any upload
is (real type, size), stored by nobody and attached to the new record; a refused try keeps the stored files for the
next one (signed), a posted file id or a forged mark attaches nothing, and the page's body limit grows with what
its file fields take."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
import segno
from starlette.testclient import TestClient

from engine.records.model import Actor, Query
from tests.web.test_public_forms import page_token
from web.app import create_app

CUSTOMER = "shop/sales/forms/customer.yaml"
TOKEN = "abcdefghijklmnop1234uploads"
LINK = f"/f/{TOKEN}"
BLOCK = f"public:\n  token: {TOKEN}\n  fields: [name, email, photo]\n  uploads: [photo]\n"


def png() -> bytes:
    out = io.BytesIO()
    segno.make("formwork").save(out, kind="png", scale=2)
    return out.getvalue()


@pytest.fixture
def client(shop):  # type: ignore[no-untyped-def]
    shop.publish({CUSTOMER: shop.sources()[CUSTOMER] + BLOCK})
    with TestClient(create_app(shop), follow_redirects=False) as c:
        yield c


def customers(ws: Any, name: str) -> list[Any]:
    return [r for r in ws.records.list(Actor.system_actor(), "customer", Query(limit=500)).records
            if r.values.get("name") == name]


def send(client: TestClient, clock: Any, data: dict[str, Any], files: list[tuple[str, Any]]) -> Any:
    page = client.get(LINK)
    clock.now += timedelta(seconds=3)
    return client.post(LINK, data={"page_token": page_token(page.text), **data}, files=files)


def test_a_visitor_attaches_a_picture_checked_as_any_upload(client, shop, clock) -> None:  # type: ignore[no-untyped-def]
    page = client.get(LINK)
    assert 'enctype="multipart/form-data"' in page.text and 'type="file" id="photo" name="photo" multiple' in page.text
    assert 'accept=".png' in page.text or "accept=" in page.text
    sent = send(client, clock, {"name": "晨光文具", "email": "a@b.cn"}, [("photo", ("logo.png", png(), "image/png"))])
    assert sent.status_code == 200, sent.text[-1500:]
    [record] = customers(shop, "晨光文具")
    [ref] = record.values["photo"]
    assert ref["name"] == "logo.png" and ref["type"] == "image/png"


def test_a_file_that_is_not_what_it_says_is_refused_and_a_kept_file_survives_the_next_try(
        client, shop, clock) -> None:  # type: ignore[no-untyped-def]
    fake = send(client, clock, {"name": "假图片", "email": "a@b.cn"},
                [("photo", ("cat.png", b"MZ\x90\x00 not a picture", "image/png"))])
    assert fake.status_code == 422 and customers(shop, "假图片") == []
    assert "请修改标出的内容" in fake.text
    # one good picture, but the e-mail is wrong: the picture is stored and carried to the next try
    first = send(client, clock, {"name": "再试一次", "email": "not-an-email"}, [("photo", ("a.png", png(), "image/png"))])
    assert first.status_code == 422
    marks = re.findall(r'name="photo.kept" value="([^"]+)"', first.text)
    assert len(marks) == 1 and "a.png" in first.text
    again = send(client, clock, {"name": "再试一次", "email": "ok@b.cn", "photo.kept": marks[0]}, [])
    assert again.status_code == 200, again.text[-1500:]
    [record] = customers(shop, "再试一次")
    assert [r["name"] for r in record.values["photo"]] == ["a.png"]


def test_a_posted_id_or_a_forged_mark_attaches_nothing(client, shop, clock) -> None:  # type: ignore[no-untyped-def]
    stored = send(client, clock, {"name": "甲", "email": "a@b.cn"}, [("photo", ("a.png", png(), "image/png"))])
    assert stored.status_code == 200
    file_id = customers(shop, "甲")[0].values["photo"][0]["id"]
    taken = send(client, clock, {"name": "乙", "email": "b@b.cn", "photo": file_id,
                                 "photo.kept": f"{file_id}.forgedmacforgedmacxx"}, [])
    assert taken.status_code == 200
    assert not customers(shop, "乙")[0].values.get("photo")
    as_json = client.post(LINK, json={"name": "丙", "photo": [{"id": file_id}]},
                          headers={"origin": "https://nowhere.example"})
    assert as_json.status_code == 403  # JSON only from the listed sites; and never with files (engine test)


def test_the_body_limit_follows_the_file_fields(client, shop, clock) -> None:  # type: ignore[no-untyped-def]
    big = png() + b"\x00" * (1024 * 1024 + 10)  # past the 1 MB of a page without files, within photo's 2 × 1 MB
    response = send(client, clock, {"name": "大文件", "email": "a@b.cn"}, [("photo", ("big.png", big, "image/png"))])
    assert response.status_code == 422 and "1 MB" in response.text  # the field's own limit speaks, not a 413
    huge = client.post(LINK, content=b"x" * (4 * 1024 * 1024), headers={"content-type": "multipart/form-data; b=x"})
    assert huge.status_code == 413
