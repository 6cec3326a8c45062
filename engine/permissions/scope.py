"""The records an operation reaches, as one SQL predicate over the form's table (the only enforcement point)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions.model import FormDef
from engine.fields.base import FilterContext
from engine.formulas.ast import Var
from engine.permissions.access import FormAccess, Scope
from engine.permissions.condition import condition_predicate
from engine.permissions.viewer import Viewer


def scope_predicate(access: FormAccess, operation: str, form: FormDef, table: sa.Table, viewer: Viewer,
                    ctx: FilterContext) -> ColumnElement[bool]:
    """True for exactly the rows of `table` that `operation` may touch; FALSE when it reaches none."""
    scopes = access.scopes_for(operation) if access.can(operation) else ()
    if any(s.kind == "all" for s in scopes):
        return sa.true()
    parts = [_one(s, form, table, viewer, ctx) for s in scopes]
    return sa.or_(*parts) if parts else sa.false()


def _one(scope: Scope, form: FormDef, table: sa.Table, viewer: Viewer, ctx: FilterContext) -> ColumnElement[bool]:
    if scope.kind == "own":
        return table.c.owner_id == viewer.user_id
    if scope.kind == "department":
        return table.c.department_id.in_(sorted(viewer.departments)) if viewer.departments else sa.false()
    if scope.kind == "department_tree":
        return table.c.department_id.in_(sorted(viewer.department_tree)) if viewer.department_tree else sa.false()
    if scope.kind == "condition" and scope.condition:
        return condition_predicate(scope.condition, form, table, ctx, lambda var: variable(var, viewer, ctx))
    return sa.false()


def variable(var: Var, viewer: Viewer, ctx: FilterContext) -> Any:
    """The value of `$me`, `$me.<attribute>`, `$my_department`, `$today` or `$now` for this viewer."""
    if var.name == "me":
        if not var.path:
            return viewer.user_id
        value: Any = viewer.attributes
        for key in var.path:
            value = value.get(key) if isinstance(value, dict) else None
        return value
    if var.name == "my_department":
        return viewer.department_id
    if var.name == "today":
        return ctx.now.astimezone(ctx.tz).date()
    if var.name == "now":
        return ctx.now
    return None
