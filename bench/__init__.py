"""Benchmarks: each figure is a ratio against raw SQLAlchemy Core on the same table in the same run."""
