"""The fixed palette an app's colour is chosen from (metadata/app.schema.json lists the same names)."""

COLORS: tuple[str, ...] = ("blue", "green", "orange", "red", "purple", "teal", "gray", "gold")
