"""The SMTP server outgoing mail uses: saved by an admin in the `settings` table (key `smtp`), else read from
the `smtp_url` setting (FORMWORK_SMTP_URL), e.g. smtp://user:pass@host:587?security=starttls&from=a@b.cn."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

import sqlalchemy as sa

from engine.storage.system import settings

if TYPE_CHECKING:
    from engine.workspace import Workspace

SETTING_KEY = "smtp"
SECURITY = ("none", "starttls", "ssl")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}
ADDRESS = re.compile(r"^[^@\s<>,;:\"()\[\]\\]+@[^@\s<>,;:\"()\[\]\\]+\.[^@\s.<>,;:\"()\[\]\\]+$")
MAX_ADDRESS = 254
I18n = dict[str, str]


@dataclass(frozen=True)
class SmtpConfig:
    """How to reach the SMTP server and whom messages come from; `source` says where it was read."""

    host: str = ""
    port: int = 587
    security: str = "starttls"  # none | starttls | ssl
    username: str = ""
    password: str = ""
    sender: str = ""  # the From address
    sender_name: str = ""
    timeout: float = 20.0
    source: str = "none"  # settings | env | none

    @property
    def configured(self) -> bool:
        return bool(self.host and self.sender)

    def stored(self) -> dict[str, Any]:
        """What the settings table keeps (everything but `source`)."""
        values = asdict(self)
        values.pop("source")
        return values


def valid_address(address: str) -> bool:
    """True for a plain address like `li@example.cn` (no display name)."""
    return len(address) <= MAX_ADDRESS and bool(ADDRESS.match(address))


def parse_smtp_url(url: str) -> SmtpConfig:
    """The configuration an smtp:// (or smtps://) URL describes; an empty config for an empty or unusable URL."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        return SmtpConfig()
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    security = query.get("security") or ("ssl" if parts.scheme == "smtps" else "none")
    security = security if security in SECURITY else "none"
    username = unquote(parts.username or "")
    sender = query.get("from") or (username if valid_address(username) else f"noreply@{parts.hostname}")
    try:
        port = parts.port or DEFAULT_PORTS[security]
        timeout = float(query.get("timeout") or 20)
    except ValueError:
        return SmtpConfig()
    return SmtpConfig(host=parts.hostname, port=port, security=security, username=username,
                      password=unquote(parts.password or ""), sender=sender, sender_name=query.get("name", ""),
                      timeout=timeout, source="env")


def _from_stored(value: Mapping[str, Any]) -> SmtpConfig:
    fields = SmtpConfig.__dataclass_fields__
    known = {k: v for k, v in value.items() if k in fields and k != "source"}
    config = replace(SmtpConfig(), **known, source="settings")
    return replace(config, port=int(config.port), timeout=float(config.timeout))


def load_smtp(conn: sa.Connection, fallback_url: str = "") -> SmtpConfig:
    """The saved configuration, else the one `fallback_url` (the smtp_url setting) describes."""
    stored = conn.execute(sa.select(settings.c.value).where(settings.c.key == SETTING_KEY)).scalar()
    if isinstance(stored, Mapping) and stored.get("host"):
        return _from_stored(stored)
    return parse_smtp_url(fallback_url) if fallback_url else SmtpConfig()


def smtp_of(ws: Workspace, conn: sa.Connection) -> SmtpConfig:
    """The configuration a workspace sends with (its saved one, else its smtp_url setting)."""
    return load_smtp(conn, str(ws.settings.values.get("smtp_url") or ""))


def saved_password(conn: sa.Connection) -> str:
    """The password saved on the settings page ('' if none)."""
    stored = conn.execute(sa.select(settings.c.value).where(settings.c.key == SETTING_KEY)).scalar()
    return str(stored.get("password") or "") if isinstance(stored, Mapping) else ""


def with_saved_password(conn: sa.Connection, config: SmtpConfig) -> SmtpConfig:
    """The config, with the saved password when the form left the password blank (it is never shown)."""
    return config if config.password else replace(config, password=saved_password(conn))


def smtp_problems(config: SmtpConfig) -> dict[str, I18n]:
    """Every problem of a configuration typed on the settings page: field → message in zh and en."""
    problems: dict[str, I18n] = {}
    if not config.host or len(config.host) > 253 or any(c.isspace() or c in "/:@" for c in config.host):
        problems["host"] = {"zh": "请填写服务器地址,例如 smtp.example.com", "en": "Enter the server, e.g. smtp.example.com"}
    if not 1 <= config.port <= 65535:
        problems["port"] = {"zh": "端口应在 1 到 65535 之间", "en": "The port must be between 1 and 65535"}
    if config.security not in SECURITY:
        problems["security"] = {"zh": "请选择加密方式", "en": "Choose how the connection is secured"}
    if not valid_address(config.sender):
        problems["sender"] = {"zh": "请填写有效的发件地址,例如 noreply@example.com",
                              "en": "Enter a valid sender address, e.g. noreply@example.com"}
    if len(config.sender_name) > 120 or any(c in "\r\n" for c in config.sender_name):
        problems["sender_name"] = {"zh": "发件人名称最多 120 个字符,且只能一行", "en": "At most 120 characters, on one line"}
    if len(config.username) > 255 or len(config.password) > 255:
        problems["username"] = {"zh": "用户名和密码最多 255 个字符", "en": "User name and password allow 255 characters"}
    if not 1 <= config.timeout <= 300:
        problems["timeout"] = {"zh": "超时应在 1 到 300 秒之间", "en": "The timeout must be between 1 and 300 seconds"}
    return problems


def save_smtp(conn: sa.Connection, config: SmtpConfig, *, keep_password: bool = True) -> SmtpConfig:
    """Save the configuration (a blank password keeps the saved one unless `keep_password` is False)."""
    problems = smtp_problems(config)
    if problems:
        raise ValueError("invalid SMTP settings: " + ", ".join(sorted(problems)))
    if keep_password:
        config = with_saved_password(conn, config)
    config = replace(config, source="settings")
    exists = conn.execute(sa.select(settings.c.key).where(settings.c.key == SETTING_KEY)).first() is not None
    if exists:
        conn.execute(sa.update(settings).where(settings.c.key == SETTING_KEY).values(value=config.stored()))
    else:
        conn.execute(sa.insert(settings).values(key=SETTING_KEY, value=config.stored()))
    return config


def forget_smtp(conn: sa.Connection) -> bool:
    """Drop the saved configuration (the smtp_url setting applies again); False if none was saved."""
    return bool(conn.execute(sa.delete(settings).where(settings.c.key == SETTING_KEY)).rowcount)
