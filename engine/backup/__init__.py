"""Backup and restore: one archive with the database, the uploaded files, the definitions and the config."""
