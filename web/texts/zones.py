"""UI texts (zh, en): the names of the common time zones offered on the settings page (engine.zones.COMMON_ZONES),
so that a Chinese page reads 上海 rather than the IANA identifier Asia/Shanghai."""

TEXTS: dict[str, dict[str, str]] = {
    "zone_Asia/Shanghai": {"zh": "北京时间(上海)", "en": "China (Shanghai)"},
    "zone_Asia/Hong_Kong": {"zh": "中国香港", "en": "Hong Kong"},
    "zone_Asia/Taipei": {"zh": "中国台北", "en": "Taipei"},
    "zone_Asia/Singapore": {"zh": "新加坡", "en": "Singapore"},
    "zone_Asia/Tokyo": {"zh": "日本(东京)", "en": "Japan (Tokyo)"},
    "zone_Asia/Seoul": {"zh": "韩国(首尔)", "en": "Korea (Seoul)"},
    "zone_Asia/Kolkata": {"zh": "印度(加尔各答)", "en": "India (Kolkata)"},
    "zone_Asia/Dubai": {"zh": "阿联酋(迪拜)", "en": "UAE (Dubai)"},
    "zone_Europe/London": {"zh": "英国(伦敦)", "en": "UK (London)"},
    "zone_Europe/Berlin": {"zh": "德国(柏林)", "en": "Germany (Berlin)"},
    "zone_Europe/Paris": {"zh": "法国(巴黎)", "en": "France (Paris)"},
    "zone_America/New_York": {"zh": "美国东部(纽约)", "en": "US Eastern (New York)"},
    "zone_America/Chicago": {"zh": "美国中部(芝加哥)", "en": "US Central (Chicago)"},
    "zone_America/Los_Angeles": {"zh": "美国西部(洛杉矶)", "en": "US Pacific (Los Angeles)"},
    "zone_Australia/Sydney": {"zh": "澳大利亚(悉尼)", "en": "Australia (Sydney)"},
    "zone_UTC": {"zh": "协调世界时 UTC", "en": "UTC"},
}


def zone_name(zone: str, lang: str) -> str:
    """A time zone's name in `lang` when it is a common one, else its IANA identifier."""
    entry = TEXTS.get(f"zone_{zone}")
    return entry.get(lang, entry["en"]) if entry else zone
