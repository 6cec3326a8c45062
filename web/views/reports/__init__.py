"""Report and dashboard pages of an app, drill-down, and what the app menu lists of them (routes.py)."""
