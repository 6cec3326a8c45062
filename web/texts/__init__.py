"""UI texts of larger features, each in its own module (merged into web.i18n.TEXTS)."""
