"""Definitions: the YAML language's typed model, its loader and its checker.

Import `engine.definitions.loader` for loading; this package's root stays import-free so that
field types and formulas can depend on `engine.definitions.model` without cycles.
"""
