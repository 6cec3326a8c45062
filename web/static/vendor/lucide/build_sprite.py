"""Build the sprites of web/icons.py from lucide-static's icons/: apps.svg (APP_ICONS, the icons an app may take)
and ui.svg (UI_ICONS, the interface's own), one <symbol> per icon."""

import re
import sys
from pathlib import Path

here = Path(__file__).parent
source = Path(sys.argv[1])  # the unpacked package's icons/ folder
listing = (here.parents[2] / "icons.py").read_text()
# on each symbol: a <use> in a page inherits from the page, not from this file's root
STROKE = 'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"'


def names(constant: str) -> list[str]:
    block = listing.split(f"{constant}: tuple[str, ...] = (")[1].split(")")[0]
    return re.findall(r'"([a-z0-9-]+)"', block)


for constant, file, what in (("APP_ICONS", "apps.svg", "the icons apps may take"),
                             ("UI_ICONS", "ui.svg", "the interface's icons")):
    symbols = []
    for name in names(constant):
        svg = (source / f"{name}.svg").read_text()
        body = svg[svg.index(">", svg.index("<svg")) + 1:svg.rindex("</svg>")].strip()
        body = re.sub(r"\s*\n\s*", "", body)
        symbols.append(f'<symbol id="{name}" viewBox="0 0 24 24" {STROKE}>{body}</symbol>')
    (here / file).write_text(
        f'<!-- lucide-static 1.87.0, ISC (LICENSE): {what} -->\n'
        '<svg xmlns="http://www.w3.org/2000/svg">\n' + "\n".join(symbols) + "\n</svg>\n")
    print(f"vendored {len(symbols)} lucide icons into {file}")
