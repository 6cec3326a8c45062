"""The gallery's thumbnail route /files/{id}/thumb/{size}: the download route's access rule (404 for a file the
reader may not have, 303 to sign in), a resized WebP cached on disk by file id and size with cache headers, and a
drawn placeholder — never a 500 — for a file that is no readable picture. SQLite and PostgreSQL (`shop` fixture)."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from starlette.testclient import TestClient

from engine.files.sniff import JPEG, PDF, PNG
from engine.records.model import Actor
from tests.conftest import add_user
from tests.web.test_web import sign_in
from web.app import create_app
from web.views.file_access import file_store
from web.views.thumbnails import thumbnails

ALICE = Actor(user_id=1, is_admin=True)
ROLES = """roles:
  - id: rep
    label: {zh: 销售, en: Sales rep}
    permissions:
      customer: {operations: [read], scope: own}
"""


def photo(width: int, height: int, kind: str = "JPEG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(out, kind)
    return out.getvalue()


@pytest.fixture
def client(shop):  # type: ignore[no-untyped-def]
    """A rep who reads their own customers; 华联 (the rep's) holds a 1200×900 photo, 西湖 (not theirs) another;
    a broken "PNG" sits on 华联 too, and a PDF (not a picture) on no record."""
    shop.publish({"shop/roles.yaml": ROLES})
    rep = add_user(shop, "rep", admin=False, roles=("rep",))
    store = file_store(shop)
    files = {"big": store.save(photo(1200, 900), "big.jpg", JPEG, 1),
             "other": store.save(photo(90, 60), "o.jpg", JPEG, 1),
             "broken": store.save(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "broken.png", PNG, 1),
             "pdf": store.save(b"%PDF-1.4\n%%EOF\n", "a.pdf", PDF, 1)}
    shop.records.create(ALICE, "customer", {"name": "华联电子", "owner": rep,
                                            "photo": [files["big"].ref(), files["broken"].ref()]})
    shop.records.create(ALICE, "customer", {"name": "西湖旅游", "owner": 1, "photo": [files["other"].ref()]})
    with TestClient(create_app(shop), base_url="http://testserver") as c:
        c.ws = shop  # type: ignore[attr-defined]
        c.files = {k: v.id for k, v in files.items()}  # type: ignore[attr-defined]
        yield c


def test_a_thumbnail_is_a_small_webp_cached_on_disk_and_in_the_browser(client: TestClient) -> None:
    sign_in(client)
    big = client.files["big"]  # type: ignore[attr-defined]
    got = client.get(f"/files/{big}/thumb/320")
    assert got.status_code == 200 and got.headers["content-type"] == "image/webp"
    assert got.headers["cache-control"] == "private, max-age=86400"
    assert Image.open(io.BytesIO(got.content)).size == (320, 240)  # fitted, the shape kept
    assert len(got.content) < len(client.get(f"/files/{big}").content)
    cached = thumbnails(client.ws).path(big, 320)  # type: ignore[attr-defined]
    assert cached.is_file() and cached.read_bytes() == got.content
    marked = io.BytesIO()
    Image.new("RGB", (7, 7), (0, 0, 255)).save(marked, "WEBP")
    cached.write_bytes(marked.getvalue())  # the next answer comes from the disk copy, not from a new resize
    assert client.get(f"/files/{big}/thumb/320").content == marked.getvalue()
    assert Image.open(io.BytesIO(client.get(f"/files/{big}/thumb/640").content)).size == (640, 480)
    small = client.files["other"]  # type: ignore[attr-defined]
    assert Image.open(io.BytesIO(client.get(f"/files/{small}/thumb/320").content)).size == (90, 60)  # never enlarged


@pytest.mark.parametrize(("lang", "words"), [("zh-CN", "无法预览"), ("en-US", "No preview")])
@pytest.mark.parametrize("which", ["broken", "pdf"])
def test_no_readable_picture_gets_a_placeholder_not_an_error(client: TestClient, which: str, lang: str,
                                                             words: str) -> None:
    sign_in(client)
    file_id = client.files[which]  # type: ignore[attr-defined]
    for _ in range(2):  # the second time from the marker, without decoding again
        got = client.get(f"/files/{file_id}/thumb/320", headers={"accept-language": lang})
        assert got.status_code == 200 and got.headers["content-type"].startswith("image/svg+xml")
        assert words in got.text and "<script" not in got.text
        assert got.headers["cache-control"] == "private, max-age=300"
    assert not thumbnails(client.ws).path(file_id, 320).exists()  # type: ignore[attr-defined]


@pytest.mark.parametrize("size", ["100", "0", "abc", "320.5", "99999999999"])
def test_a_size_outside_the_list_is_a_400_naming_the_sizes(client: TestClient, size: str) -> None:
    sign_in(client)
    got = client.get(f"/files/{client.files['big']}/thumb/{size}")  # type: ignore[attr-defined]
    assert got.status_code == 400 and "160, 320, 640" in got.text


def test_thumbnails_answer_whoever_the_download_route_answers_and_the_same_way(client: TestClient) -> None:
    files = client.files  # type: ignore[attr-defined]
    asked = [files["big"], files["other"], "0" * 32, "%2e%2e%2fconfig.json"]

    def both(c: TestClient, file_id: str) -> tuple[int, int]:
        return (c.get(f"/files/{file_id}", follow_redirects=False).status_code,
                c.get(f"/files/{file_id}/thumb/160", follow_redirects=False).status_code)

    signed_out = [both(client, f) for f in asked]
    assert all(a == b for a, b in signed_out) and signed_out[0] == (303, 303)  # sign in first
    sign_in(client, "rep")
    assert [both(client, f) for f in asked] == [(200, 200), (404, 404), (404, 404), (404, 404)]
    refused = client.get(f"/files/{files['other']}/thumb/160", headers={"accept-language": "zh-CN"})
    assert refused.text == "文件不存在"
    assert not thumbnails(client.ws).path(files["other"], 160).exists()  # type: ignore[attr-defined]
    client.cookies.clear()
    sign_in(client)
    assert [both(client, f) for f in asked] == [(200, 200), (200, 200), (404, 404), (404, 404)]  # the admin
