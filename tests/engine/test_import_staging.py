"""Uploads kept between the steps of an import, for their owner only and removed by the ticker after a day; the
template workbook whose headers map back to the fields."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from engine.imports import discard_staged, importable_fields, inspect_file, stage_upload, staged, suggest_mapping, \
    write_template
from engine.imports.staging import STAGED_HOURS, staging
from tests.engine.test_import_run import sheet_rows


def test_a_staged_upload_is_its_owners_until_discarded_or_old(shop, clock, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    upload = tmp_path / "tmp-upload"
    upload.write_text("名称\n甲\n", encoding="utf-8")
    token = stage_upload(shop, 1, upload, "客户.csv")
    found = staged(shop, 1, token)
    assert found is not None and found.filename == "客户.csv" and found.path.read_text(encoding="utf-8") == "名称\n甲\n"
    assert inspect_file(found.path).headers == ("名称",)
    assert staged(shop, 2, token) is None and staged(shop, 1, "../" + token) is None and upload.exists()
    discard_staged(shop, 2, token)  # not theirs: nothing happens
    assert staged(shop, 1, token) is not None
    discard_staged(shop, 1, token)
    assert staged(shop, 1, token) is None and not list(staging(shop).iterdir())

    old = stage_upload(shop, 1, upload, "a.csv", move=True)
    assert not upload.exists()
    shop.jobs.tick()
    clock.now += timedelta(hours=STAGED_HOURS - 1)
    shop.jobs.tick()
    assert staged(shop, 1, old) is not None
    clock.now += timedelta(hours=2)
    shop.jobs.tick()
    assert staged(shop, 1, old) is None and not list(staging(shop).iterdir())


def test_the_template_headers_are_the_importable_fields(shop) -> None:  # type: ignore[no-untyped-def]
    form = shop.records.runtime("order").form
    for lang in ("zh", "en"):
        headers = sheet_rows(write_template(shop, "order", lang))[0]
        assert headers[0] == ("客户 *" if lang == "zh" else "Customer *")
        assert suggest_mapping(form, headers) == dict(zip(headers, (c.id for c in importable_fields(form))))
