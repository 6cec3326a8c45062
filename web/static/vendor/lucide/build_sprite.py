"""Build apps.svg (one <symbol> per icon of web/views/designer/icons.APP_ICONS) from lucide-static's icons/."""

import re
import sys
from pathlib import Path

here = Path(__file__).parent
source = Path(sys.argv[1])  # the unpacked package's icons/ folder
names = re.findall(r'"([a-z0-9-]+)"', (here.parents[2] / "views/designer/icons.py").read_text().split("APP_ICONS")[1])
# on each symbol: a <use> in a page inherits from the page, not from this file's root
STROKE = 'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"'
symbols = []
for name in names:
    svg = (source / f"{name}.svg").read_text()
    body = svg[svg.index(">", svg.index("<svg")) + 1:svg.rindex("</svg>")].strip()
    body = re.sub(r"\s*\n\s*", "", body)
    symbols.append(f'<symbol id="{name}" viewBox="0 0 24 24" {STROKE}>{body}</symbol>')
(here / "apps.svg").write_text(
    '<!-- lucide-static 1.87.0, ISC (LICENSE): the icons apps may take -->\n'
    '<svg xmlns="http://www.w3.org/2000/svg">\n' + "\n".join(symbols) + "\n</svg>\n")
print(f"vendored {len(symbols)} lucide icons")
