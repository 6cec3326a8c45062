"""The template gallery: discover templates, install them (with sample data)."""
