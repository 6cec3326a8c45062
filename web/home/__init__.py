"""The blocks of the home page (工作台): one module per block kind, each a registered class with a template partial."""

from web.home import apps, attention, dashboards, todos  # noqa: F401  (each registers its block)
