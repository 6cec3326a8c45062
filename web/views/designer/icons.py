"""The icons an app may take: a curated part of Lucide, vendored as one SVG sprite (web/static/vendor/lucide)."""

SPRITE = "/static/vendor/lucide/apps.svg"
APP_ICONS: tuple[str, ...] = (
    "users", "user", "building", "building-2", "briefcase", "folder", "file-text", "clipboard-list", "calendar",
    "clock", "phone", "mail", "megaphone", "funnel", "trending-up", "chart-bar", "chart-pie", "life-buoy",
    "shopping-cart", "package", "truck", "wallet", "credit-card", "receipt", "handshake", "target", "flag", "star",
    "heart", "bell", "book-open", "graduation-cap", "wrench", "settings", "shield", "home", "map-pin", "globe",
    "layers", "layout-grid", "database", "tag", "ticket", "headphones", "bug", "lightbulb", "rocket", "factory",
    "store",
)
