"""Formula types, checked when a definition is loaded."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FType:
    """A formula type: a kind (text, number, boolean, date, datetime, any, null, list) and a list's item type."""

    kind: str
    item: FType | None = None

    def __str__(self) -> str:
        return f"list[{self.item}]" if self.kind == "list" else self.kind

    def zh(self) -> str:
        """The type's name in Chinese, for messages (`文本列表`)."""
        return f"{self.item.zh() if self.item else ''}列表" if self.kind == "list" else kind_zh(self.kind)

    @property
    def is_list(self) -> bool:
        return self.kind == "list"

    def is_(self, *kinds: str) -> bool:
        """True if the type is one of `kinds` (ANY and NULL are never *definitely* something)."""
        return self.kind in kinds


TEXT = FType("text")
NUMBER = FType("number")
BOOLEAN = FType("boolean")
DATE = FType("date")
DATETIME = FType("datetime")
ANY = FType("any")
NULL = FType("null")


KIND_NAMES_ZH = {"text": "文本", "number": "数字", "boolean": "是/否", "date": "日期", "datetime": "日期时间",
                 "any": "任意值", "null": "空值", "empty": "空值", "list": "列表"}


def kind_zh(kind: str) -> str:
    """The Chinese name of a formula value kind (`number` → 数字)."""
    return KIND_NAMES_ZH.get(kind, kind)


def ListOf(item: FType) -> FType:  # noqa: N802 (reads like a type constructor)

    """The type of a list of `item`."""
    return FType("list", item)


def definitely(t: FType, *kinds: str) -> bool:
    """True only when `t` is known to be one of `kinds`."""
    return t.kind in kinds


def scalar(t: FType) -> FType:
    """The item type of a list, or the type itself."""
    return t.item or ANY if t.is_list else t
