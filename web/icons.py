"""Icons: curated parts of Lucide, vendored as two SVG sprites (web/static/vendor/lucide, built by its
build_sprite.py) — the icons an app may take, and the ones the interface itself draws (header, sidebar)."""

SPRITE = "/static/vendor/lucide/apps.svg"
APP_ICONS: tuple[str, ...] = (
    "users", "user", "building", "building-2", "briefcase", "folder", "file-text", "clipboard-list", "calendar",
    "clock", "phone", "mail", "megaphone", "funnel", "trending-up", "chart-bar", "chart-pie", "life-buoy",
    "shopping-cart", "package", "truck", "wallet", "credit-card", "receipt", "handshake", "target", "flag", "star",
    "heart", "bell", "book-open", "graduation-cap", "wrench", "settings", "shield", "home", "map-pin", "globe",
    "layers", "layout-grid", "database", "tag", "ticket", "headphones", "bug", "lightbulb", "rocket", "factory",
    "store",
)
DEFAULT_APP_ICON = "layout-grid"

UI_SPRITE = "/static/vendor/lucide/ui.svg"
UI_ICONS: tuple[str, ...] = (
    "menu", "search", "bell", "inbox", "pencil-ruler", "shield", "settings", "log-out", "languages", "chevron-down",
    "panel-left-close", "panel-left-open", "file-text", "layout-dashboard", "chart-column", "x",
)
