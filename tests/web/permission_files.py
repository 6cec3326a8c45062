"""Permission cases over files: uploads, exports, imports and printing
(tests/web/test_permission_endpoints.py)."""

from __future__ import annotations

from engine import imports
from tests.web.permission_probe import C, PNG, Probe


def upload(p: Probe) -> None:
    response = p.post(C + "/upload/photo", files={"file": ("dot.png", PNG, "image/png")})
    if (response.status_code == 201) != (p.scope != "none"):
        p.leaks.append(f"upload to a customer photo: status {response.status_code}")


def export(p: Probe) -> None:
    for fmt in ("csv", "xlsx"):
        response = p.client.get(f"{C}/export?format={fmt}")
        text = response.content.decode("utf-8-sig") if fmt == "csv" else _xlsx_text(response.content)
        p.seen(f"export {fmt}", text)
        if p.scope == "none" and response.status_code != 403:
            p.leaks.append(f"export {fmt}: status {response.status_code}")
    p.seen("api export", p.client.get("/api/v1/customer/export").content.decode("utf-8-sig"))


def export_status(p: Probe) -> None:
    """Another user's (here: a made-up) export job: never found, never a file or a count."""
    for token in ("0" * 32, "not-a-token"):
        response = p.client.get(f"/api/v1/exports/{token}")
        if response.status_code not in (401, 403, 404):
            p.leaks.append(f"export job {token}: status {response.status_code}")
        p.seen("export job status", response.text, expected=set())


def import_steps(p: Probe) -> None:
    """The import's steps: refused without rights; the hidden e-mail never offered in the mapping, named in the
    template or accepted when posted; a duplicate key updates only a record in scope (a dry run: nothing written);
    a made-up import is never found."""
    allowed = p.scope != "none"
    shown = p.client.get(C + "/import")
    template = p.client.get(C + "/import/template.xlsx")
    upload = p.post(C + "/import", files={"file": ("c.csv", "名称,邮箱\nAlpha Co,a-secret@x.com\n".encode(), "text/csv")})
    if not allowed:
        for step, got in (("page", shown), ("template", template), ("upload", upload)):
            if got.status_code != 403:
                p.leaks.append(f"import {step} without the right: status {got.status_code}")
        return
    header = _xlsx_text(template.content)
    if shown.status_code != 200 or "名称" not in header or "邮箱" in header:
        p.leaks.append(f"import template names {header!r} (page status {shown.status_code})")
    mapping_url = upload.headers.get("location", "")
    choices = p.client.get(mapping_url).text
    if upload.status_code != 303 or 'value="email"' in choices:
        p.leaks.append(f"import mapping offers the hidden e-mail (upload status {upload.status_code})")
    hidden = p.post(mapping_url, {"map.0": "name", "map.1": "email", "sheet": ""})
    if hidden.status_code != 400:
        p.leaks.append(f"import mapped to the hidden e-mail: status {hidden.status_code}")
    chosen = p.post(mapping_url, {"map.0": "name", "map.1": "", "key": "name", "on_duplicate": "update",
                                  "dry_run": "1", "sheet": ""})
    preview = p.client.get(chosen.headers.get("location", ""))
    p.seen("import preview", preview.text, {"Alpha Co"})
    started = p.post(mapping_url.rsplit("/", 1)[0] + "/start")
    job_url = started.headers.get("location", "")
    p.ws.jobs.drain()
    job = imports.find(p.ws, job_url.rsplit("/", 1)[-1])
    updated = job.updated if job is not None else -1
    if updated != int("Alpha Co" in p.expected):
        p.leaks.append(f"import by key: updated {updated} (start status {started.status_code})")
    for made_up in ("0" * 32, "not-a-token"):
        for method, tail in (("GET", ""), ("GET", "/report"), ("POST", "/resume")):
            url = f"{C}/imports/{made_up}{tail}"
            got = p.post(url) if method == "POST" else p.client.get(url)
            if got.status_code not in (403, 404):
                p.leaks.append(f"import {made_up}{tail}: status {got.status_code}")


def _xlsx_text(content: bytes) -> str:
    import io

    import openpyxl

    if not content.startswith(b"PK"):
        return content.decode("utf-8", "replace")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return "\n".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row)


def printing(p: Probe) -> None:
    """The print sheet and the PDF of a record exist exactly for records in scope; the sheet never prints the
    hidden e-mail; a list's PDF of ticked records is refused as a whole when one of them is out of scope."""
    for name, record_id in p.customers.items():
        sheet = p.client.get(f"{C}/{record_id}/print")
        p.status("print sheet", sheet.status_code, name, (200,))
        p.seen(f"print sheet {name}", sheet.text, {name} & p.expected)
        pdf = p.client.get(f"{C}/{record_id}/print.pdf")
        p.status("print pdf", pdf.status_code, name, (200,))
        if pdf.status_code == 200 and not pdf.content.startswith(b"%PDF"):
            p.leaks.append(f"print pdf {name}: not a PDF")
    mine = [f"{p.customers[n]}:1" for n in sorted(p.expected)]  # ticked rows say id:version
    if mine:
        got = p.post(f"{C}/print.pdf", {"_ids": mine})
        p.status("list pdf of the records in scope", got.status_code, None, (200,))
    outside = [f"{i}:1" for n, i in p.customers.items() if n not in p.expected]
    if outside:
        got = p.post(f"{C}/print.pdf", {"_ids": [*mine, *outside]})
        if got.status_code not in (403, 404):
            p.leaks.append(f"list pdf with records out of scope: status {got.status_code}")
