"""Form widgets over HTTP: type-ahead pickers, uploads and downloads, signature, rating and sanitised rich text."""

from __future__ import annotations

import base64
import io
import re
import struct
import zipfile
import zlib
from typing import Any

from starlette.testclient import TestClient

from engine.org.users import create_department
from engine.records.model import Actor
from engine.storage.database import write_transaction
from tests.web.test_forms import form_fields
from tests.web.test_web import client, sign_in  # noqa: F401  (fixture)

ALICE = Actor(user_id=1, is_admin=True)
EN = {"accept-language": "en"}
XSS = ('<p>Hello <b>world</b><script>alert(1)</script><img src=x onerror="alert(2)">'
       '<a href="javascript:alert(3)">bad</a> <a href="https://example.com" onclick="alert(4)">good</a></p>')


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real, tiny PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def fresh(client: TestClient, path: str = "/apps/sales/customer/new") -> dict[str, str]:
    """The hidden fields of a newly opened form (each submit token creates one record only)."""
    return form_fields(client.get(path).text)


def upload(client: TestClient, path: str, name: str, data: bytes, mime: str = "application/octet-stream",
           token: str = "") -> Any:
    return client.post(path, files={"file": (name, data, mime)}, headers={"x-csrf-token": token, **EN})


def test_relation_user_and_department_pickers_search_as_you_type(client: TestClient, shop: Any) -> None:  # noqa: F811
    sign_in(client)
    for name in ("服务器", "打印机", "Server rack"):
        shop.records.create(ALICE, "product", {"name": name})
    with write_transaction(shop.engine) as conn:
        create_department(conn, "east", {"zh": "华东销售部", "en": "East sales"})
    found = client.get("/apps/sales/customer/pick/interests", params={"q": "服务"}).text
    assert 'data-label="服务器"' in found and "打印机" not in found and 'role="option"' in found
    assert "Server rack" in client.get("/apps/sales/customer/pick/interests", params={"q": "server"}).text
    empty = client.get("/apps/sales/customer/pick/interests", params={"q": "zzz-nothing"}, headers=EN).text
    assert "No matches" in empty and 'role="option"' not in empty
    in_row = client.get("/apps/sales/order/pick/items.product", params={"q": "打印", "list": "items[2].product"}).text
    assert 'id="items[2].product-option-' in in_row and "打印机" in in_row  # a subform column's picker
    assert "Bob" in client.get("/apps/sales/customer/pick/team", params={"q": "bo"}).text
    assert "Alice" not in client.get("/apps/sales/customer/pick/team", params={"q": "bo"}).text
    assert "华东销售部" in client.get("/apps/sales/customer/pick/dept", params={"q": "华东"}).text
    assert "East sales" in client.get("/apps/sales/customer/pick/dept", params={"q": "east"}, headers=EN).text
    assert client.get("/apps/sales/customer/pick/grade").status_code == 404  # not a picker
    assert client.get("/apps/sales/customer/pick/nope").status_code == 404


def test_pickers_show_the_current_titles_and_me_default(client: TestClient, shop: Any) -> None:  # noqa: F811
    sign_in(client)
    server = shop.records.create(ALICE, "product", {"name": "服务器"})
    printer = shop.records.create(ALICE, "product", {"name": "打印机"})
    new_page = client.get("/apps/sales/customer/new").text
    assert re.search(r'name="owner" value="1" data-picker-value data-label="Alice"', new_page)  # $me
    assert 'hx-trigger="input changed delay:250ms, focus"' in new_page
    created = client.post("/apps/sales/customer/new", data={
        **form_fields(new_page), "name": "新客户", "owner": "1", "team": ["2"],
        "interests": [str(server.id), str(printer.id)]}, follow_redirects=False)
    assert created.status_code == 303, created.text
    edit = client.get(created.headers["location"] + "/edit").text
    assert re.search(r'<span>服务器</span><input type="hidden" name="interests" value="%d">' % server.id, edit)
    assert '<span>Bob</span><input type="hidden" name="team" value="2">' in edit
    assert re.search(r'id="owner"[^>]*\s+value="Alice"', edit)
    record = client.get(created.headers["location"]).text
    assert "服务器, 打印机" in record and "Bob" in record


def test_upload_checks_size_and_content_and_downloads_safely(client: TestClient, shop: Any) -> None:  # noqa: F811
    token = sign_in(client)
    contract = "/apps/sales/order/upload/contract"
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    ok = upload(client, contract, "../../../etc/合同 2024.pdf", pdf, "text/html", token)
    assert ok.status_code == 201, ok.text
    ref = ok.json()
    assert ref["name"] == "合同 2024.pdf" and ref["type"] == "application/pdf" and ref["size"] == len(pdf)
    stored = list((shop.settings.home_path / "files").rglob("*"))
    assert [p.name for p in stored if p.is_file()] == [ref["id"]]  # named by id, not by what the browser said
    download = client.get(ref["url"])
    assert download.content == pdf and download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E5%90%88%E5%90%8C%202024.pdf" in download.headers["content-disposition"]
    assert download.headers["x-content-type-options"] == "nosniff"

    assert upload(client, contract, "report.docx", docx_bytes(), token=token).json()["type"].endswith(
        "wordprocessingml.document")
    too_big = upload(client, contract, "big.pdf", pdf + b"0" * (1024 * 1024), token=token)
    assert too_big.status_code == 413 and "larger than 1 MB" in too_big.json()["error"]
    exe = upload(client, contract, "setup.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, token=token)
    assert exe.status_code == 415 and "not allowed" in exe.json()["error"] and ".pdf" in exe.json()["error"]
    html_as_png = upload(client, "/apps/sales/customer/upload/photo", "x.png", b"<script>alert(1)</script>",
                         "image/png", token)
    assert html_as_png.status_code == 415
    empty = upload(client, contract, "empty.pdf", b"", token=token)
    assert empty.status_code == 400 and "empty" in empty.json()["error"]
    zh = client.post(contract, files={"file": ("a.txt", b"plain words", "text/plain")},
                     headers={"x-csrf-token": token, "accept-language": "zh-CN"})
    assert zh.status_code == 415 and "不支持此文件类型" in zh.json()["error"]
    assert upload(client, contract, "a.pdf", pdf).status_code == 403  # no CSRF token
    assert upload(client, "/apps/sales/order/upload/status", "a.pdf", pdf, token=token).status_code == 404

    image = upload(client, "/apps/sales/customer/upload/photo", "face.png", png_bytes(), token=token).json()
    shown = client.get(image["url"])
    assert shown.headers["content-disposition"].startswith("inline;") and shown.headers["content-type"] == "image/png"
    assert client.get(image["url"] + "?download").headers["content-disposition"].startswith("attachment;")
    assert client.get("/files/" + "0" * 32).status_code == 404
    assert client.get("/files/..%2F..%2Fformwork.db").status_code == 404
    with TestClient(client.app, base_url="http://testserver") as stranger:
        refused = stranger.get(ref["url"], follow_redirects=False)
        assert refused.status_code == 303 and refused.headers["location"].startswith("/login")


def test_uploaded_files_are_saved_with_the_record_and_shown(client: TestClient, shop: Any) -> None:  # noqa: F811
    token = sign_in(client)
    image = upload(client, "/apps/sales/customer/upload/photo", "face.png", png_bytes(), token=token).json()
    page = client.get("/apps/sales/customer/new").text
    assert 'accept=".png,.jpg,.jpeg,.gif,.webp"' in page and "Up to 1 MB" not in page
    created = client.post("/apps/sales/customer/new", data={**form_fields(page), "name": "有照片",
                                                             "photo": image["id"]}, follow_redirects=False)
    assert created.status_code == 303, created.text
    record_id = int(created.headers["location"].rsplit("/", 1)[1])
    assert shop.records.get(ALICE, "customer", record_id).values["photo"] == [
        {"id": image["id"], "name": "face.png", "size": image["size"], "type": "image/png"}]
    record = client.get(created.headers["location"]).text
    assert f'<img class="thumb" src="/files/{image["id"]}"' in record and "face.png" in record
    edit = client.get(created.headers["location"] + "/edit").text
    assert f'<input type="hidden" name="photo" value="{image["id"]}">' in edit  # kept, removable before saving
    bad = client.post("/apps/sales/customer/new", data={**fresh(client), "name": "坏文件", "photo": "nope"},
                      headers=EN)
    assert bad.status_code == 422 and "Photo must be a file reference" in bad.text


def test_signature_is_stored_as_a_png_and_shown(client: TestClient, shop: Any) -> None:  # noqa: F811
    sign_in(client)
    page = client.get("/apps/sales/customer/new").text
    assert 'data-signature-canvas' in page
    drawn = "data:image/png;base64," + base64.b64encode(png_bytes(60, 20)).decode()
    created = client.post("/apps/sales/customer/new", data={**form_fields(page), "name": "签了字",
                                                             "signature.png": drawn}, follow_redirects=False)
    assert created.status_code == 303, created.text
    record_id = int(created.headers["location"].rsplit("/", 1)[1])
    ref = shop.records.get(ALICE, "customer", record_id).values["signature"]
    assert ref["type"] == "image/png" and ref["name"] == "signature.png"
    assert client.get(f"/files/{ref['id']}").content == png_bytes(60, 20)
    assert f'<img class="signature-image" src="/files/{ref["id"]}"' in client.get(created.headers["location"]).text
    edit = client.get(created.headers["location"] + "/edit")
    kept = client.post(created.headers["location"] + "/edit", data={**form_fields(edit.text), "name": "签了字",
                                                                    "signature": ref["id"]}, follow_redirects=False)
    assert kept.status_code == 303 and shop.records.get(ALICE, "customer", record_id).values["signature"] == ref
    fake = "data:image/png;base64," + base64.b64encode(b"GIF89a not a png").decode()
    bad = client.post("/apps/sales/customer/new", data={**fresh(client), "name": "假签名", "signature.png": fake},
                      headers=EN)
    assert bad.status_code == 422 and "Signature must be" in bad.text


def test_rating_stars(client: TestClient, shop: Any) -> None:  # noqa: F811
    sign_in(client)
    page = client.get("/apps/sales/customer/new").text
    assert len(re.findall(r'type="radio" name="rating" value="[1-5]"', page)) == 5
    created = client.post("/apps/sales/customer/new", data={**form_fields(page), "name": "四星", "rating": "4"},
                          follow_redirects=False)
    record = client.get(created.headers["location"]).text
    assert '<span class="stars" role="img" aria-label="4 / 5 星">★★★★☆</span>' in record
    edit = client.get(created.headers["location"] + "/edit").text
    assert 'value="4" id="rating-star-4" checked' in edit
    too_many = client.post("/apps/sales/customer/new", data={**fresh(client), "name": "六星", "rating": "6"},
                           headers=EN)
    assert too_many.status_code == 422 and "Rating must be at most 5" in too_many.text


def test_rich_text_is_sanitised_on_every_write_path(client: TestClient, shop: Any) -> None:  # noqa: F811
    token = sign_in(client)
    page = client.get("/apps/sales/customer/new").text
    assert 'data-rich-editor' in page and 'data-cmd="bold"' in page
    created = client.post("/apps/sales/customer/new", data={**form_fields(page), "name": "富文本", "profile": XSS},
                          follow_redirects=False)
    assert created.status_code == 303
    record_id = int(created.headers["location"].rsplit("/", 1)[1])
    stored = shop.records.get(ALICE, "customer", record_id).values["profile"]
    for bad in ("<script", "onerror", "javascript:", "onclick", "alert(1)"):
        assert bad not in stored
    assert "<b>world</b>" in stored and 'href="https://example.com"' in stored
    record = client.get(created.headers["location"]).text
    assert "<b>world</b>" in record and "<script>alert" not in record and "onerror" not in record
    api = client.post("/api/v1/customer", json={"values": {"name": "接口", "profile": XSS}},
                      headers={"x-csrf-token": token})
    assert api.status_code == 201, api.text
    assert "<script" not in api.json()["values"]["profile"] and "javascript:" not in api.json()["values"]["profile"]
    direct = shop.records.create(ALICE, "customer", {"name": "引擎", "profile": '<p>x</p><svg onload="alert(1)">'})
    assert direct.values["profile"] == "<p>x</p>"
    assert shop.records.create(ALICE, "customer", {"name": "空", "profile": "<p><br></p>"}).values["profile"] is None
    rerender = client.post("/apps/sales/customer/new", data={**fresh(client), "name": "", "profile": XSS})
    assert rerender.status_code == 422 and "<script>alert(1)" not in rerender.text  # the invalid form comes back


def test_oversized_bodies_are_refused_before_they_are_read_whole(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    huge = b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024)  # over the 1 MB field limit plus form overhead
    refused = upload(client, "/apps/sales/order/upload/contract", "huge.pdf", huge, token=token)
    assert refused.status_code == 413
    form = client.post("/apps/sales/customer/new", data={"csrf_token": token, "notes": "x" * (5 * 1024 * 1024)})
    assert form.status_code == 413 and "too large" in form.text
    api = client.post("/api/v1/customer", content=b"{" + b" " * (5 * 1024 * 1024) + b"}",
                      headers={"x-csrf-token": token, "content-type": "application/json"})
    assert api.status_code == 413 and api.json()["error"]["code"] == "too_large"


def test_pickers_offer_chinese_names_in_pinyin_order(client: TestClient, shop: Any) -> None:  # noqa: F811
    sign_in(client)
    for name in ("中山仓库", "上海总部", "佛山工厂", "北京分部"):  # code-point order is 上 中 佛 北
        shop.records.create(ALICE, "product", {"name": name})
    with write_transaction(shop.engine) as conn:
        from engine.org.users import NewUser, create_user

        for username, name in (("zw", "张伟"), ("ln", "李娜"), ("wf", "王芳")):
            create_user(conn, NewUser(username, name, password="correct horse 1"), shop.now())
    products = client.get("/apps/sales/customer/pick/interests").text
    found = re.findall(r'data-label="([^"]+)"', products)
    assert found == ["北京分部", "佛山工厂", "上海总部", "中山仓库"]
    people = re.findall(r'data-label="([^"]+)"', client.get("/apps/sales/customer/pick/team").text)
    assert [p for p in people if p in ("张伟", "李娜", "王芳")] == ["李娜", "王芳", "张伟"]
