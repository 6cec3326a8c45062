"""Screenshots of Formwork's main screens for docs/screenshots/ (`make screenshots`).

Creates a throw-away CRM workspace with the sample data (`formwork init` and `formwork template install crm
--sample-data` in a temporary folder), serves it with uvicorn on a free loopback port, signs in as the
administrator or as a sales rep in Debian's Chromium (Playwright) and saves a PNG of each page of PAGES at each
width of WIDTHS, in each of the page's languages: `{name}-{width}-{lang}.png`. The temporary folder is removed at
the end; nothing else is written but the PNGs.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--only home,client-list]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
OUT = ROOT / "docs" / "screenshots"
PATIENCE_MS = 120_000  # a safety net for every wait, never a pace

ADMIN = "admin"
REP = "lina"  # 李娜, a sales rep of the east team in the sample data
WIDTHS = ((1280, 900), (375, 812))


@dataclass(frozen=True)
class Page:
    name: str                       # the file name's start: {name}-{width}-{lang}.png
    user: str                       # ADMIN or a sample user
    path: str                       # answers 200 for that user on a CRM workspace with the sample data
    langs: tuple[str, ...] = ("zh",)
    charts: bool = False            # wait until every chart is drawn


PAGES: tuple[Page, ...] = (
    Page("home", REP, "/", ("zh", "en")),
    Page("client-list", ADMIN, "/apps/client/client", ("zh", "en")),
    Page("client-record", ADMIN, "/apps/client/client/1"),
    Page("opportunity-new", REP, "/apps/opportunity/opportunity/new"),
    Page("opportunity-kanban", ADMIN, "/apps/opportunity/opportunity/kanban"),
    Page("dashboard-management", ADMIN, "/apps/opportunity/dashboards/management", charts=True),
    Page("dashboard-sales-rep", REP, "/apps/opportunity/dashboards/sales_rep", charts=True),
)

# Every chart box of a dashboard drawn (or marked failed by charts.js).
CHARTS_DRAWN = """() => [...document.querySelectorAll('.chart[data-chart]')]
  .every((box) => box.dataset.drawn === 'done' || box.dataset.drawn === 'failed')"""
QUIET = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-added, .htmx-settling')"


def formwork(*args: str) -> str:
    """Run a `formwork` command with this Python (the checkout's install); its output."""
    done = subprocess.run([sys.executable, "-c", "from web.cli import main; main()", *args], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"formwork {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def make_workspace(home: Path) -> dict[str, str]:
    """A new workspace with the CRM and its sample data; the passwords by username."""
    import yaml

    said = formwork("init", "--home", str(home), "--admin", ADMIN)
    found = re.search(rf"admin login: {ADMIN} / (\S+)", said)
    if not found:
        raise SystemExit(f"`formwork init` did not print the admin's password:\n{said}")
    formwork("template", "install", "crm", "--sample-data", "--home", str(home))
    sample = yaml.safe_load((ROOT / "apps_templates" / "crm" / "sample_data.yaml").read_text(encoding="utf-8"))
    return {ADMIN: found.group(1), REP: str(sample["password"])}


@contextmanager
def serve(home: Path) -> Iterator[str]:
    """The workspace's web app on a free loopback port (uvicorn in a thread); yields the base URL."""
    from engine.settings import Settings
    from engine.workspace import Workspace
    from web.app import create_app
    from web.serve_thread import serve_in_thread

    ws = Workspace.open(Settings.load({"home": str(home)}))
    try:
        with serve_in_thread(create_app(ws), PATIENCE_MS / 1000) as url:
            yield url
    finally:
        ws.close()


def signed_in(browser: Any, url: str, user: str, password: str, lang: str, size: tuple[int, int]) -> Any:
    """A page in a new browser context, signed in as `user`, showing the interface in `lang`."""
    width, height = size
    context = browser.new_context(base_url=url, locale="zh-CN" if lang == "zh" else "en-US",
                                  viewport={"width": width, "height": height}, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(PATIENCE_MS)
    page.goto("/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda u: "/login" not in u)
    page.goto(f"/lang/{lang}?next=/")  # the session's language, whatever the user's own setting
    return page


def shoot(page: Any, shot: Page, target: Path) -> None:
    answer = page.goto(shot.path)
    if answer is None or answer.status != 200:
        raise SystemExit(f"{shot.path} answered {answer and answer.status} for {shot.user}")
    page.wait_for_load_state("networkidle")
    page.wait_for_function(QUIET)
    if shot.charts:
        page.wait_for_function(CHARTS_DRAWN)
    page.evaluate("() => document.fonts.ready")
    page.screenshot(path=str(target), animations="disabled", caret="hide")


def optimise(path: Path) -> None:
    """Smaller PNGs with Pillow when it is installed (a UI has few colours); left as they are otherwise."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the PNGs (default docs/screenshots)")
    parser.add_argument("--only", default="", help="comma-separated page names (default: every page)")
    args = parser.parse_args(argv)
    chosen = [p for p in PAGES if not args.only or p.name in args.only.split(",")]
    if not CHROMIUM.exists():
        raise SystemExit("Chromium is missing: `make system-deps` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="formwork-shots-") as tmp:
        home = Path(tmp) / "workspace"
        print(f"creating a CRM workspace with sample data in {home} …")
        passwords = make_workspace(home)
        with serve(home) as url, sync_playwright() as playwright:
            for lang in sorted({lang for p in chosen for lang in p.langs}):
                # Chromium draws its own widgets (a date input's mm/dd/yyyy) in its interface language
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                     args=[f"--lang={'zh-CN' if lang == 'zh' else 'en-US'}"])
                for user in sorted({p.user for p in chosen if lang in p.langs}):
                    for size in WIDTHS:
                        page = signed_in(browser, url, user, passwords[user], lang, size)
                        for shot in chosen:
                            if shot.user == user and lang in shot.langs:
                                target = args.out / f"{shot.name}-{size[0]}-{lang}.png"
                                shoot(page, shot, target)
                                optimise(target)
                                print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}"
                                      f"  {target.stat().st_size // 1024} KB")
                        page.context.close()
                browser.close()
    total = sum(f.stat().st_size for f in args.out.glob("*.png"))
    print(f"{len(list(args.out.glob('*.png')))} screenshots, {total / 1e6:.1f} MB in {args.out}")


if __name__ == "__main__":
    main()
