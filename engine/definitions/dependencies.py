"""The dependency graph of computed fields (formulas, lookups, rollups), its cycles and evaluation order."""

from __future__ import annotations

from collections.abc import Iterator

from engine.definitions.model import Definitions, FieldDef, FormDef
from engine.definitions.scope import FormScope
from engine.errors import FormulaError
from engine.formulas import compile_formula, references

Node = tuple[str, str]  # (form id, field path inside the form: "amount" or "items.subtotal")
Graph = dict[Node, set[Node]]


def _path_nodes(scope: FormScope, path: tuple[str, ...]) -> Iterator[Node]:
    """Nodes a field path depends on: each relation hop and the field it ends at."""
    hops = scope.hops(path)
    if not hops:
        return
    prefix = ""
    for i, hop in enumerate(hops):
        is_child = i > 0 and hops[i - 1].field.type == "subform"
        name = f"{prefix}.{hop.field.id}" if is_child else hop.field.id
        if scope.row is not None and i == 0 and scope.row.child(hop.field.id):
            name = f"{scope.row.id}.{hop.field.id}"
        yield hop.form.id, name
        prefix = hop.field.id if hop.field.type == "subform" else ""


def _formula_deps(scope: FormScope, source: str) -> set[Node]:
    try:
        expr = compile_formula(source)
    except FormulaError:
        return set()
    return {node for path in references(expr) for node in _path_nodes(scope, path)}


def field_dependencies(defs: Definitions, form: FormDef, f: FieldDef, row: FieldDef | None = None) -> set[Node]:
    """What one field's value is computed from."""
    scope = FormScope(defs, form, row)
    deps: set[Node] = set()
    if f.formula:
        deps |= _formula_deps(scope, f.formula)
    if f.type == "lookup":
        deps |= set(_path_nodes(scope, tuple(str(f.get("path", "")).split("."))))
    if f.type == "rollup" and f.get("source") in defs.forms:
        source = defs.forms[str(f.get("source"))]
        for name in (f.get("link"), f.get("field")):
            if name and source.field(str(name)):
                deps.add((source.id, str(name)))
        if f.get("filter"):
            deps |= _formula_deps(FormScope(defs, source), str(f.get("filter")))
    return deps


def dependency_graph(defs: Definitions) -> Graph:
    """Edges from every computed field to the fields it reads."""
    graph: Graph = {}
    for form in defs.forms.values():
        for f in form.fields:
            graph[(form.id, f.id)] = field_dependencies(defs, form, f)
            for child in f.fields:
                graph[(form.id, f"{f.id}.{child.id}")] = field_dependencies(defs, form, child, row=f)
    return graph


def find_cycles(graph: Graph) -> list[list[Node]]:
    """Each elementary cycle found by depth-first search, reported once."""
    cycles: list[list[Node]] = []
    state: dict[Node, int] = {}  # 1 = on the stack, 2 = done
    stack: list[Node] = []

    def visit(node: Node) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def evaluation_order(defs: Definitions, form: FormDef) -> list[str]:
    """Computed fields of a form (top-level and subform columns) so each comes after what it reads."""
    graph = dependency_graph(defs)
    computed = [
        name for (form_id, name), _ in graph.items()
        if form_id == form.id and _is_computed(form, name)
    ]
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str, trail: frozenset[str]) -> None:
        if name in seen or name in trail:
            return
        for dep_form, dep in sorted(graph.get((form.id, name), ())):
            if dep_form == form.id and dep in computed:
                visit(dep, trail | {name})
        seen.add(name)
        order.append(name)

    for name in computed:
        visit(name, frozenset())
    return order


def _is_computed(form: FormDef, name: str) -> bool:
    if "." in name:
        parent, child = name.split(".", 1)
        sub = form.field(parent)
        f = sub.child(child) if sub else None
    else:
        f = form.field(name)
    return f is not None and (bool(f.formula) or f.type in ("formula", "lookup", "rollup"))
