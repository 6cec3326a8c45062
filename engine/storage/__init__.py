"""Storage: the database engine, system tables, one real table per form, schema sync and filters → SQL."""
