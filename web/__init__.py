"""The web application: Starlette + Jinja2 + htmx over the engine; depends on engine, never the reverse."""
