"""The web application: Starlette + Jinja2 + htmx over the engine; depends on engine, never the reverse."""

from web import convertors as _convertors  # noqa: F401  (registers `{…:int}` before any route is built)
