"""`{id:int}` in our routes matches only ids a database column can hold (up to 18 digits): a longer number is a
404 like any unknown id, never an overflow in the database driver."""

from __future__ import annotations

from starlette.convertors import IntegerConvertor, register_url_convertor


class DatabaseIdConvertor(IntegerConvertor):
    """Digits that fit a BIGINT."""

    regex = "[0-9]{1,18}"


register_url_convertor("int", DatabaseIdConvertor())
