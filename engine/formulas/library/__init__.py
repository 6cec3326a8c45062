"""The function library by family; importing it registers every function in FUNCTIONS."""

from __future__ import annotations

from engine.formulas.library import china, dates, logic, lookup, maths, stats, text

__all__ = ["china", "dates", "logic", "lookup", "maths", "stats", "text"]
