"""The chart types; importing this package registers every one."""

from web.charts.types import axes, dual_axis, gauge, kpi, map_china, pivot, radar, scatter, shares, table

__all__ = ["axes", "dual_axis", "gauge", "kpi", "map_china", "pivot", "radar", "scatter", "shares", "table"]
