"""Screens: one module per family (auth, home, records)."""
