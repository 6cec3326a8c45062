"""The error of a designer operation that cannot be applied."""

from __future__ import annotations


class EditError(Exception):
    """An operation that cannot be applied; the message names the problem in both languages."""

    def __init__(self, en: str, zh: str, pointer: str = ""):
        self.en, self.zh, self.pointer = en, zh, pointer
        super().__init__(en)

    def message(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en
