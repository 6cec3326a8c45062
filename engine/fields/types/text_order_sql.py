"""SQL that orders text by pinyin (engine/text_order.py): the portable expression a text field sorts by."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

SQLITE_FUNCTION = "formwork_pinyin"  # registered on every SQLite connection (engine/storage/database.py)
PG_COLLATION = "zh-x-icu"  # ICU's Chinese collation, pinyin order; PostgreSQL builds with ICU have it


class pinyin_order(FunctionElement[Any]):
    """A text column as it sorts for Chinese readers: by its pinyin key on SQLite, in the ICU Chinese collation on
    PostgreSQL. Used in ORDER BY and in the cursor's comparison alike, so paging follows the same order."""

    inherit_cache = True
    name = "pinyin_order"

    def __init__(self, column: ColumnElement[Any]):
        super().__init__(column)
        self.type = column.type


@compiles(pinyin_order)
def _sqlite_key(element: pinyin_order, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = element.clauses
    return f"{SQLITE_FUNCTION}({compiler.process(column, **kw)})"


@compiles(pinyin_order, "postgresql")
def _icu_collation(element: pinyin_order, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = element.clauses
    return f'({compiler.process(column, **kw)} COLLATE "{PG_COLLATION}")'
