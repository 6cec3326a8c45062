"""What a list URL asks for (conditions, search, sort, page, cursor, saved view) and the URLs that change one part
of it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import QueryParams

from engine.definitions.model import Definitions, FieldDef, FormDef
from engine.fields.base import FilterContext
from engine.i18n import text
from engine.records.model import Filter, Query
from engine.records.query import COUNT_CAP
from engine.fields.registry import field_type
from web.views.colwidths import WIDTH_PROBLEM, read_widths, widths_param
from web.views.display import list_columns
from web.views.filters import BadCondition, Condition, new_token, parse_conditions
from web.views.pagination import DEFAULT_SIZE, PAGE_SIZES, last_numbered

URL_SAFE = ":,$"


@dataclass(frozen=True)
class ListState:
    """The list the user asked for: good conditions, refused ones, quick search, sort, page size, and the page: a
    number (read by offset) or a keyset cursor (`after`, past the numbered pages)."""

    conditions: tuple[Condition, ...] = ()
    problems: tuple[BadCondition, ...] = ()
    q: str = ""
    sort: str = ""
    descending: bool = True
    after: str = ""
    page: int = 1
    size: int = DEFAULT_SIZE
    paging_problems: tuple[str, ...] = ()  # text keys: a page number or size the URL gives that cannot be shown
    view: int | None = None
    columns: tuple[str, ...] = ()  # chosen columns; empty: the form's default ones
    widths: tuple[tuple[str, int], ...] = ()  # (field id, pixels) of columns the user resized
    exact_count: bool = False  # count every matching record (`count=exact`), not only up to COUNT_CAP
    composed: bool = False  # the builder added a condition: the URL should be rewritten to its canonical form
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def filtered(self) -> bool:
        """True when the list is narrowed by conditions or search."""
        return bool(self.conditions or self.problems or self.q)

    @property
    def tailored(self) -> bool:
        """True when the list differs from the plain one in anything a saved view keeps."""
        return self.filtered or bool(self.sort or self.columns or self.widths) or self.size != DEFAULT_SIZE

    def query(self, limit: int, tz: Any) -> Query:
        """The engine query of this state's records from the cursor on (a board, an export…)."""
        filters = tuple(Filter(c.key, c.op, c.operand(tz)) for c in self.conditions)
        return Query(filters=filters, search=self.q or None, sort=((self.sort, self.descending),) if self.sort else (),
                     limit=limit, after=self.after or None, with_total=True, with_children=False)

    def page_query(self, tz: Any) -> Query:
        """The engine query of the list page shown: by number (an offset), or by cursor past the numbered pages."""
        return replace(self.query(self.size, tz), offset=0 if self.after else (self.page - 1) * self.size,
                       total_cap=None if self.exact_count else COUNT_CAP)

    def params(self, *, after: bool = False, page: bool = False, view: bool = True) -> list[tuple[str, str]]:
        """The state as query parameters, in a stable order."""
        items = [("f", c.token) for c in self.conditions] + [("f", p.token) for p in self.problems]
        if self.q:
            items.append(("q", self.q))
        if self.sort:
            items += [("sort", self.sort), ("dir", "desc" if self.descending else "asc")]
        if self.columns:
            items.append(("cols", ",".join(self.columns)))
        if self.widths:
            items.append(("w", widths_param(self.widths)))
        if self.size != DEFAULT_SIZE:
            items.append(("size", str(self.size)))
        items += sorted(self.extra.items())
        if self.exact_count:
            items.append(("count", "exact"))
        if view and self.view is not None:
            items.append(("view", str(self.view)))
        if page and self.page > 1 and not self.after:
            items.append(("page", str(self.page)))
        if after and self.after:
            items.append(("after", self.after))
        return items

    def url(self, base: str, **changes: Any) -> str:
        """The list URL of this state with some parts changed (a new page starts from the first row unless the change
        names the page or the cursor)."""
        state = replace(self, **changes) if changes else self
        query = urlencode(state.params(after="after" in changes, page="page" in changes), safe=URL_SAFE)
        return f"{base}?{query}" if query else base

    def without(self, base: str, token: str) -> str:
        """The URL with one condition removed."""
        return self.url(base, conditions=tuple(c for c in self.conditions if c.token != token),
                        problems=tuple(p for p in self.problems if p.token != token), view=None)

    def sort_url(self, base: str, field_id: str) -> str:
        """The URL sorting by a column: descending first, then ascending on a second click."""
        descending = not (self.sort == field_id and self.descending)
        return self.url(base, sort=field_id, descending=descending)


def read_state(params: QueryParams, form: FormDef, table: Any, ctx: FilterContext, lang: str,
               extra: tuple[str, ...] = (), defs: Definitions | None = None) -> ListState:
    """Parse a list's query parameters; a condition composed in the builder (nf, no, nv) is added to the rest."""
    tokens = params.getlist("f")
    composed = bool(params.get("nf") and params.get("no"))
    if composed:
        tokens.append(new_token(str(params["nf"]), str(params["no"]), params.getlist("nv")))
    good, bad = parse_conditions(form, tokens, table, ctx, lang, defs)
    view = params.get("view", "")
    view = view if len(view) <= 18 else ""  # longer than any id
    chosen = [name for value in params.getlist("cols") for name in value.split(",")]
    page, size, paging_problems = read_paging(params)
    widths, refused = read_widths(params.get("w", ""), frozenset(f.id for f in column_choices(form)))
    return ListState(columns=chosen_columns(form, chosen), widths=widths, conditions=tuple(good), problems=tuple(bad),
                     q=params.get("q", "").strip(), sort=params.get("sort", ""),
                     descending=params.get("dir", "desc") != "asc", after=params.get("after", ""), page=page,
                     size=size, paging_problems=paging_problems + ((WIDTH_PROBLEM,) if refused else ()),
                     view=int(view) if view.isdigit() else None,
                     composed=composed, exact_count=params.get("count") == "exact",
                     extra={k: params[k] for k in extra if params.get(k)})


def read_paging(params: QueryParams) -> tuple[int, int, tuple[str, ...]]:
    """(page number, page size, text keys of what is wrong with them) of a list URL; a wrong one falls back to the
    first page or the default size, and the page says why (HTTP 400)."""
    raw_size, raw_page = params.get("size", ""), params.get("page", "")
    problems = []
    size = int(raw_size) if raw_size in {str(n) for n in PAGE_SIZES} else DEFAULT_SIZE
    if raw_size and str(size) != raw_size:
        problems.append("list_size_bad")
    page = int(raw_page) if raw_page.isdigit() and len(raw_page) <= 9 else 0
    if raw_page and page < 1:
        problems.append("list_page_bad")
    elif page > last_numbered(size):
        problems.append("list_page_too_far")
    return (page if 1 <= page <= last_numbered(size) else 1), size, tuple(problems)


def column_choices(form: FormDef) -> list[FieldDef]:
    """Fields a list can show as columns, in form order."""
    return [f for f in form.fields if field_type(f.type).in_lists]


def chosen_columns(form: FormDef, names: list[str]) -> tuple[str, ...]:
    """The known columns among `names` in form order; () when none, or when they are the default ones."""
    wanted = set(names)
    chosen = tuple(f.id for f in column_choices(form) if f.id in wanted)
    return () if chosen == tuple(f.id for f in list_columns(form)) else chosen


def state_from_query_string(query: str, form: FormDef, table: Any, ctx: FilterContext, lang: str,
                            defs: Definitions | None = None) -> ListState:
    """The state of a list URL's query string (as posted by the save-view form)."""
    return read_state(QueryParams(parse_qsl(query.lstrip("?"), keep_blank_values=False)), form, table, ctx, lang,
                      defs=defs)


def sortable(f: FieldDef) -> bool:
    """Whether a list can be ordered by this field."""
    return field_type(f.type).sortable(f)


def problem_text(problem: BadCondition, t: Any, lang: str) -> str:
    """A refused condition's message in the user's language."""
    params = {k: text(v, lang) if isinstance(v, dict) else v for k, v in problem.params.items()}
    if "op" in params:
        name = t(f"op_{params['op']}")
        params["op"] = params["op"] if name.startswith("op_") else name
    return str(t(problem.key)).format(token=problem.token, **params)
