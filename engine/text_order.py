"""Chinese text in the order Chinese readers expect: by pinyin (then tone), not by code point.

`pinyin_key(text)` is a sort key whose plain (binary) order is pinyin order: each Han character becomes its reading —
the one a two-character word of the dictionary gives it (长沙 cháng, 重庆 chóng), else its most common one — toneless with the tone as a digit, followed by the character itself (homophones then keep a stable
order), and other text is case-folded. 北京 → "bei3北jing1京", so 北京 < 佛山 < 上海 < 中山 where code points give
上海 < 中山 < 佛山 < 北京. Syllables compare one by one, as in a dictionary: 西安 ("xi1…") before 先 ("xian1…").

SQLite sorts text fields by this key (a deterministic SQL function registered on each connection); PostgreSQL by
its ICU collation `zh-x-icu`, which orders the same way. Python code sorting names (users, options) uses it too.
The readings come from pypinyin's dictionary, turned once into a table `str.translate` applies in C.
"""

from __future__ import annotations

from functools import lru_cache

# A toned vowel → (the vowel, its tone); ü is written v, as pinyin input methods do.
_TONED = {
    "ā": ("a", 1), "á": ("a", 2), "ǎ": ("a", 3), "à": ("a", 4),
    "ē": ("e", 1), "é": ("e", 2), "ě": ("e", 3), "è": ("e", 4),
    "ī": ("i", 1), "í": ("i", 2), "ǐ": ("i", 3), "ì": ("i", 4),
    "ō": ("o", 1), "ó": ("o", 2), "ǒ": ("o", 3), "ò": ("o", 4),
    "ū": ("u", 1), "ú": ("u", 2), "ǔ": ("u", 3), "ù": ("u", 4),
    "ǖ": ("v", 1), "ǘ": ("v", 2), "ǚ": ("v", 3), "ǜ": ("v", 4), "ü": ("v", 5),
    "ń": ("n", 2), "ň": ("n", 3), "ǹ": ("n", 4), "ḿ": ("m", 2),
    "ê": ("e", 5), "ế": ("e", 2), "ề": ("e", 4), "ê̄": ("e", 1), "ê̌": ("e", 3),
}
NEUTRAL = 5  # a reading without a tone mark


def syllable(reading: str) -> str:
    """A toned reading as sortable text: 'běi' → 'bei3', 'de' → 'de5'."""
    letters, tone = [], NEUTRAL
    for ch in reading:
        plain, mark = _TONED.get(ch, (ch, None))
        letters.append(plain)
        if mark is not None and mark != NEUTRAL:
            tone = mark
    return "".join(letters) + str(tone)


class _Readings:
    """Each character's most common reading, the characters with several, and the words that decide between them."""

    def __init__(self) -> None:
        from pypinyin.phrases_dict import phrases_dict  # ~47,000 words: 长沙 is cháng shā, 重庆 chóng qìng
        from pypinyin.pinyin_dict import pinyin_dict  # ~42,000 characters; both loaded on the first Chinese sort

        self.table = {code: syllable(readings.split(",", 1)[0]) + chr(code) for code, readings in pinyin_dict.items()}
        self.several = frozenset(chr(code) for code, readings in pinyin_dict.items() if "," in readings)
        self.words = phrases_dict

    def key(self, text: str) -> str:
        if self.several.isdisjoint(text):
            return text.translate(self.table)
        parts = []
        for i, ch in enumerate(text):
            reading = self._in_word(text, i) if ch in self.several else None
            parts.append(syllable(reading) + ch if reading else ch.translate(self.table))
        return "".join(parts)

    def _in_word(self, text: str, i: int) -> str | None:
        """The reading of text[i] in the two-character word it starts or ends, when the dictionary has one."""
        for start in (i, i - 1):
            if start >= 0 and (word := self.words.get(text[start:start + 2])) and len(word) == 2:
                return str(word[i - start][0])
        return None


@lru_cache(maxsize=1)
def _readings() -> _Readings:
    return _Readings()


@lru_cache(maxsize=65_536)  # a list sorts the same names again and again
def _key(folded: str) -> str:
    return _readings().key(folded)


def pinyin_key(text: str | None) -> str | None:
    """The sort key of a text (None stays None, so empty values keep their place)."""
    if text is None:
        return None
    folded = text.casefold()
    return folded if folded.isascii() else _key(folded)
