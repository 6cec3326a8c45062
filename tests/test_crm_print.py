"""The CRM's quote and contract print templates as PDFs, as the sample users get them: the Chinese labels, the
client, the items and totals with 金额大写, the terms, the approval history with its signature; a rep cannot print
another rep's quote. The first page is rendered to an image (poppler's pdftoppm) and must hold a drawn page."""

from __future__ import annotations

import base64
import io
import re
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader
from starlette.testclient import TestClient

from engine.formulas.library.china import rmb_capital
from engine.records.model import Actor, Query
from engine.settings import Settings
from tests.test_crm_automations import crm, installed_crm  # noqa: F401  (fixtures)
from tests.test_crm_permissions import SAMPLE
from tests.test_crm_workflows import new_contract, person, todo
from web.app import create_app

SYSTEM = Actor(user_id=None, system=True)
COMPANY = "星河软件有限公司"


@pytest.fixture
def client(crm) -> Any:  # type: ignore[no-untyped-def]
    crm.settings = Settings({**crm.settings.values, "company_name": COMPANY, "company_phone": "021-5555 0000"})
    with TestClient(create_app(crm), base_url="http://testserver") as c:
        c.ws = crm  # type: ignore[attr-defined]
        yield c


def _sign_in(client: TestClient, username: str) -> None:
    client.cookies.clear()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    response = client.post("/login", data={"username": username, "password": SAMPLE["password"], "next": "/",
                                           "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    source = tmp_path / "doc.pdf"
    source.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(source), "-"], check=True, capture_output=True,
                          text=True).stdout


def first_page(pdf: bytes, tmp_path: Path, name: str) -> Image.Image:
    """The first page at 60 dpi, as pdftoppm draws it (kept in tmp_path for a look)."""
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-f", "1", "-l", "1", "-png", "-singlefile", str(source),
                    str(tmp_path / name)], check=True)
    return Image.open(tmp_path / f"{name}.png").convert("L")


def _drawn(image: Image.Image) -> tuple[float, float]:
    """How much of the top and the bottom half of the page is ink (text, lines, the QR code)."""
    width, height = image.size
    dark = [[image.getpixel((x, y)) < 128 for x in range(0, width, 2)] for y in range(0, height, 2)]
    half = len(dark) // 2
    return (sum(map(sum, dark[:half])) / (half * len(dark[0])), sum(map(sum, dark[half:])) / (half * len(dark[0])))


def test_a_quote_prints_with_its_items_totals_and_amount_in_words(client: TestClient, tmp_path: Path) -> None:
    ws = client.ws  # type: ignore[attr-defined]
    quote = max(ws.records.list(SYSTEM, "quote", Query(limit=500)).records, key=lambda r: len(r.values["items"]))
    _sign_in(client, "zhaolei")
    response = client.get(f"/apps/opportunity/quote/{quote.id}/print.pdf", params={"template": "quote"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    words = pdftotext(response.content, tmp_path)
    flat = re.sub(r"\s+", "", words)
    for label in ("报价单", "报价单号", "客户", "序号", "产品", "数量", "单价", "小计", "合计", "含税合计",
                  "报价方(盖章)", "客户确认(盖章)", COMPANY, "电话:021-55550000"):
        assert label.replace(" ", "") in flat, label
    assert quote.values["code"] in words
    products = ws.records.titles("product", [row["product"] for row in quote.values["items"]])
    assert all(name.replace(" ", "") in flat for name in products.values())
    total = Decimal(quote.values["total_with_tax"])
    assert f"金额大写:人民币{rmb_capital(total)}" in flat and f"¥{total:,.2f}" in flat
    top, bottom = _drawn(first_page(response.content, tmp_path, "quote"))
    assert 0.01 < top < 0.3  # the head, the QR code and the items table are drawn, the page is not a black box


def test_a_contract_prints_with_its_amount_terms_and_signed_approval(client: TestClient, tmp_path: Path) -> None:
    ws = client.ws  # type: ignore[attr-defined]
    lina, zhangwei = person(ws, "lina"), person(ws, "zhangwei")
    contract = new_contract(ws, lina, "99999.99")
    ws.records.update(lina, "contract", contract, {"terms": "签约付 50%,验收付 50%。"},
                      version=ws.records.get(lina, "contract", contract).version)
    ws.workflows.submit(lina, "contract", contract)
    [task] = [t for t in todo(ws, zhangwei) if t.record_id == contract]
    ws.workflows.act(zhangwei, task.task_id, "approve", comment="同意签约", signature=_signature_png())
    _sign_in(client, "lina")
    response = client.get(f"/apps/contract/contract/{contract}/print.pdf", params={"template": "contract"})
    assert response.status_code == 200
    flat = re.sub(r"\s+", "", pdftotext(response.content, tmp_path))
    for label in ("合同编号", "甲方(客户)", "乙方", "合同标的与金额", "主要条款", "审批记录", "直属主管审批",
                  "同意签约", "授权代表签字", COMPANY):
        assert label in flat, label
    assert "签约付50%,验收付50%。" in flat
    assert "金额大写:人民币玖万玖仟玖佰玖拾玖元玖角玖分" in flat and "¥99,999.99" in flat
    assert any(page.images for page in PdfReader(io.BytesIO(response.content)).pages)  # the drawn signature
    top, _ = _drawn(first_page(response.content, tmp_path, "contract"))
    assert 0.01 < top < 0.3
    default = client.get(f"/apps/contract/contract/{contract}/print.pdf")  # the default layout has the history too
    flat = re.sub(r"\s+", "", pdftotext(default.content, tmp_path))
    assert "审批记录" in flat and "直属主管审批" in flat and "同意签约" in flat and "合同金额" in flat
    assert any(page.images for page in PdfReader(io.BytesIO(default.content)).pages)


def test_a_rep_cannot_print_another_reps_quote(client: TestClient) -> None:
    ws = client.ws  # type: ignore[attr-defined]
    lina = person(ws, "lina")
    others = [q for q in ws.records.list(SYSTEM, "quote", Query(limit=500)).records if q.owner_id != lina.user_id]
    _sign_in(client, "lina")
    for url in (f"/apps/opportunity/quote/{others[0].id}/print.pdf?template=quote",
                f"/apps/opportunity/quote/{others[0].id}/print"):
        assert client.get(url).status_code == 404


def _signature_png() -> str:
    image = Image.new("RGBA", (240, 80), (255, 255, 255, 0))
    for x in range(20, 220):
        image.putpixel((x, 40 + (x % 17) - 8), (17, 24, 39, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
