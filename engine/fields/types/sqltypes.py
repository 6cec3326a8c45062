"""Column types shared by field types: exact decimals on both databases, UTC datetimes, JSON values."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# A JSON value (JSONB on PostgreSQL) where Python None is the JSON `null`; system tables use it.
JSONList = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

# A JSON value where Python None is SQL NULL, so `IS NULL` finds empty fields; every JSON field column uses it.
NullableJSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


class DecimalType(sa.types.TypeDecorator[Decimal]):
    """Decimal values: NUMERIC(20, scale) on PostgreSQL; REAL on SQLite, read back quantized to the scale."""

    impl = sa.Numeric
    cache_ok = True

    def __init__(self, scale: int = 2):
        super().__init__()
        self.scale = scale

    @property
    def python_type(self) -> type:
        """Decimal (a TypeDecorator says `object` unless told), so cursor values can be checked against it."""
        return Decimal

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(sa.Numeric(20, self.scale, asdecimal=True))
        return dialect.type_descriptor(sa.REAL())

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        # SQLite has no decimal type: binding floats ourselves avoids SQLAlchemy's "no native Decimal" warning.
        return Decimal(value) if dialect.name == "postgresql" else float(value)

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(str(value)).quantize(Decimal(1).scaleb(-self.scale))


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """An aware datetime stored in UTC (naive UTC on SQLite, timestamptz on PostgreSQL)."""

    impl = sa.DateTime
    cache_ok = True

    @property
    def python_type(self) -> type:
        return datetime

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(sa.DateTime(timezone=True))
        return dialect.type_descriptor(sa.DateTime())

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        value = value.astimezone(timezone.utc)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
