"""Every route of the app as a fuzz target, and hypothesis strategies for requests to it: path parameters from
the CRM's real ids mixed with hostile values, query strings and bodies (form, JSON, raw) from the corpus and
random text. Routes come from `create_app`, so a new route is fuzzed without editing this file."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st
from starlette.convertors import IntegerConvertor, PathConvertor
from starlette.routing import Mount, Route

from tests.fuzz import corpus
from tests.fuzz.site import ADMIN, REP, FuzzSite

WEB = Path(__file__).parents[2] / "web"
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
PEOPLE = (REP, REP, REP, "anonymous")  # mostly signed in: anonymous requests stop at the sign-in redirect
MAX_URL = 60_000
MAX_SEGMENT = 10_000


@dataclass(frozen=True)
class Target:
    """One method of one route: its path template and which parameters are integers or paths."""

    method: str
    path: str
    ints: frozenset[str]
    paths: frozenset[str]
    module: str = ""  # the module of the endpoint: what it reads is fuzzed by the sweep

    @property
    def params(self) -> list[str]:
        return re.findall(r"{(\w+)(?::\w+)?}", self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def targets(app: Any) -> list[Target]:
    """Each route × each method it answers (HEAD is GET's twin; the static files mount gets a GET)."""
    found: list[Target] = []
    for route in app.routes:
        convertors = getattr(route, "param_convertors", {})
        ints = frozenset(k for k, c in convertors.items() if isinstance(c, IntegerConvertor))
        paths = frozenset(k for k, c in convertors.items() if isinstance(c, PathConvertor))
        if isinstance(route, Mount):
            found.append(Target("GET", route.path + "/{path:path}", ints, paths | {"path"}))
            continue
        assert isinstance(route, Route), route
        methods = sorted((route.methods or {"GET", "POST"}) - {"HEAD"})
        found += [Target(m, route.path, ints, paths, route.endpoint.__module__) for m in methods]
    return found


READS = re.compile(r"""\b(?:params|query_params|form|posted|data|body|query)\.(?:get|getlist)"""
                   r"""\(["']([a-z_][a-z0-9_]*)["']""")


def parameter_names() -> list[str]:
    """Every name the web layer reads from a query string, a form or a JSON body (`params.get("name")`, …),
    found in its source, so a new parameter is fuzzed as soon as a view reads it."""
    return sorted({n for source in WEB.rglob("*.py") for n in READS.findall(source.read_text("utf-8"))})


def _source(module: str) -> str:
    path = WEB.parent / (module.replace(".", "/") + ".py")
    return path.read_text("utf-8") if path.exists() else ""


def covered(module: str) -> list[str]:
    """A view module and the web modules it imports: the code a request to its routes runs."""
    return [module, *re.findall(r"^from (web\.[\w.]+) import", _source(module), re.M)]


def sweep_plan(all_targets: list[Target]) -> list[tuple[str, Target]]:
    """For each parameter name and each module reading it, one route running that module (a GET when there is
    one): the sweep sends that name every sharp value of the corpus there."""
    plan: dict[tuple[str, str], Target] = {}
    ordered = sorted(all_targets, key=lambda t: (t.method != "GET", t.path.startswith("/admin"), t.path))
    for direct in (True, False):  # a route of the reading module itself first, else one importing it
        for target in ordered:
            for module in covered(target.module)[:1] if direct else covered(target.module)[1:]:
                for name in READS.findall(_source(module)):
                    plan.setdefault((name, module), target)
    return sorted({(name, target) for (name, _), target in plan.items()}, key=lambda p: (p[0], str(p[1])))


def _rotated(values: tuple[Any, ...], target: Target) -> list[Any]:
    """The corpus starting at a place that depends on the route: hypothesis begins its search at the first
    element, so each route starts from different hostile values (and stays deterministic)."""
    start = zlib.crc32(str(target).encode()) % len(values)
    return [*values[start:], *values[:start]]


def hostile_text(target: Target) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(_rotated(corpus.ALL_TEXT, target)), st.text(max_size=40))


def _segment(value: Any, path: bool = False) -> str:
    """A path segment as a client sends it: percent-encoded UTF-8 (a lone surrogate as its raw bytes)."""
    return quote(str(value).encode("utf-8", "surrogatepass"), safe="/" if path else "")


_mostly_real = st.sampled_from([False, False, True])  # True: this example tries a hostile path value


def _real_or(real: list[Any], hostile: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A real value three times in four, so most requests get past the lookup to the code behind it."""
    return st.one_of(st.sampled_from(real), st.sampled_from(real), st.sampled_from(real), hostile)


def real_path(site: FuzzSite, target: Target, form: str = "opportunity") -> str:
    """The URL path with the first real value of each parameter (the rep's first record of `form`)."""
    app = next((a for a, forms in site.forms.items() if form in forms), next(iter(site.forms)))
    form = form if form in site.forms.get(app, []) else site.forms[app][0]
    path = target.path
    for name in target.params:
        if name == "app":
            value: Any = app
        elif name == "form":
            value = form
        elif name == "id" and "form" in target.params:
            value = (site.ids.get(form) or [1])[0]
        else:
            value = (site.values.get(_segment_before(target.path, name) if name == "id" else name) or [1])[0]
        path = re.sub(r"{%s(?::\w+)?}" % name, lambda _: _segment(value, name in target.paths), path)
    return path


@st.composite
def path_of(draw: st.DrawFn, site: FuzzSite, target: Target) -> str:
    """The URL path with real values for most parameters and hostile ones for some."""
    hostile = hostile_text(target).map(lambda v: v[:MAX_SEGMENT])  # four segments and a query fit in a URL
    values: dict[str, Any] = {}
    pairs = [(a, f) for a, forms in site.forms.items() for f in forms]
    app, form = draw(st.one_of(st.sampled_from(pairs), st.tuples(hostile, hostile)) if draw(_mostly_real) else
                     st.sampled_from(pairs))
    for name in target.params:
        if name == "app":
            values[name] = app
        elif name == "form":
            values[name] = form if "app" in target.params else draw(_real_or(sorted(site.ids), hostile))
        elif name in target.ints:
            real = site.values.get(_segment_before(target.path, name) if name == "id" else name, [])
            values[name] = draw(_real_or(real or [1], st.integers(0, 10**18 - 1)))
        elif name == "id" and values.get("form") in site.ids:
            values[name] = draw(_real_or(site.ids[values["form"]] or [1], hostile))
        else:
            real = site.values.get(_segment_before(target.path, name) if name == "id" else name) or []
            values[name] = draw(_real_or(real, hostile) if real else hostile)
    path = target.path
    for name, value in values.items():
        path = re.sub(r"{%s(?::\w+)?}" % name, lambda _: _segment(value, name in target.paths), path)
    return path


def _segment_before(path: str, name: str) -> str:
    """The path segment naming what `{name}` is an id of: /admin/automations/{id} -> automations."""
    parts = path.split("/")
    return next((parts[i - 1] for i, p in enumerate(parts) if p.startswith("{" + name)), "")


def query_of(target: Target, names: list[str]) -> st.SearchStrategy[list[tuple[str, str]]]:
    """A query string: a few known names (repeats allowed: `f=…&f=…`) with hostile or random values."""
    return st.lists(st.tuples(st.sampled_from(names), hostile_text(target)), max_size=4)


def json_values() -> st.SearchStrategy[Any]:
    """JSON documents: the corpus's, or random ones (nested a little, with any text)."""
    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                        st.text(max_size=20))
    tree = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["values", "version", "comment", "name", "filter", "field", "op", "value"]) | st.text(
            max_size=8), inner, max_size=3), max_leaves=8)
    return st.one_of(st.sampled_from(corpus.JSON_VALUES), tree)


@dataclass(frozen=True)
class Body:
    """What an unsafe request carries: form fields (the CSRF token added when sent), JSON, or raw bytes."""

    form: tuple[tuple[str, str], ...] | None = None
    json: Any = None
    raw: bytes | None = None


def body_of(target: Target, names: list[str]) -> st.SearchStrategy[Body]:
    form = st.lists(st.tuples(st.sampled_from(names), hostile_text(target)), max_size=5).map(
        lambda items: Body(form=tuple(items)))
    as_json = json_values().map(lambda value: Body(json=value))
    raw = st.sampled_from(corpus.RAW_JSON).map(lambda data: Body(raw=data))
    api = target.path.startswith(("/api/", "/hooks/"))
    return st.one_of(as_json, raw, form) if api else st.one_of(form, as_json, raw)


@dataclass(frozen=True)
class Request:
    """A generated request, printed by hypothesis as the reproduction of a failure."""

    who: str
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    body: Body | None
    htmx: bool


@st.composite
def requests(draw: st.DrawFn, site: FuzzSite, target: Target, names: list[str]) -> Request:
    path = draw(path_of(site, target))
    query = tuple(draw(query_of(target, names)))
    body = draw(body_of(target, names)) if target.method in UNSAFE else None
    people = PEOPLE if target.method in UNSAFE else (*PEOPLE, ADMIN, ADMIN)  # an administrator only reads
    return Request(draw(st.sampled_from(people)), target.method, path, query, body, draw(st.booleans()))


def send(site: FuzzSite, request: Request) -> Any:
    """Send it as its person (signed-in cookies restored first), with the session's CSRF token."""
    person = site.people[request.who]
    client = person.reset()
    headers = {"x-csrf-token": person.csrf, **({"hx-request": "true"} if request.htmx else {})}
    url = request.path
    for n, (k, v) in enumerate(request.query):
        item = f"{'&' if n else '?'}{_segment(k)}={_segment(v)}"
        if len(url) + len(item) > MAX_URL:
            break  # longer than any client sends (httpx refuses over 64 kB)
        url += item
    kw: dict[str, Any] = {}
    body = request.body
    if body is not None and body.form is not None:
        kw["content"] = "&".join(f"{_segment(k)}={_segment(v)}" for k, v in (*body.form, ("csrf_token", person.csrf)))
        headers["content-type"] = "application/x-www-form-urlencoded"
    elif body is not None and body.raw is not None:
        kw["content"], headers["content-type"] = body.raw, "application/json"
    elif body is not None:
        kw["content"] = _dumps(body.json)
        headers["content-type"] = "application/json"
    return client.request(request.method, url, headers=headers, follow_redirects=False, **kw)


def _dumps(value: Any) -> bytes:
    import json

    return json.dumps(value, ensure_ascii=True).encode()
