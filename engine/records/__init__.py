"""The record service: the one path for every read and write of form records."""
