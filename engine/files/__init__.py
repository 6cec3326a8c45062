"""Uploaded files: what their bytes really are, what a field accepts, and where they are kept."""
