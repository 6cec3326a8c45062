"""Formwork's metadata engine: definitions → tables, records, formulas; free of any web import."""

__version__ = "0.1.0"
