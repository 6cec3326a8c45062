"""The one error of backup and restore: what went wrong, in zh and en, naming the file or folder at fault."""

from __future__ import annotations

from engine.i18n import zh_en


class BackupError(Exception):
    """A backup or restore that cannot be done (a damaged archive, a non-empty target…); says why in zh and en."""

    def __init__(self, zh: str, en: str):
        self.messages = zh_en(zh, en)
        super().__init__(en)

    def text(self, lang: str) -> str:
        """The message in `lang` (zh or en)."""
        return self.messages.get(lang, self.messages["en"])
