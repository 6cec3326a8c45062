"""A queued message as it goes out: headers, a plain-text part and the HTML part (with tracked links and an
open pixel when the message is tracked), UTF-8 throughout."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from engine.mail.config import SmtpConfig
from engine.mail.links import add_pixel, rewrite_links
from engine.mail.tracking import click_token, open_token


def tracked_html(html: str, message_id: int, *, base_url: str, key: str) -> str:
    """The HTML with every web link going through `/t/c/<token>` and a pixel loading `/t/o/<token>.gif`."""
    base = base_url.rstrip("/")
    tracker = f"{base}/t/"

    def through(url: str) -> str | None:
        return None if url.startswith(tracker) else f"{base}/t/c/{click_token(key, message_id, url)}"
    return add_pixel(rewrite_links(html, through), f"{base}/t/o/{open_token(key, message_id)}.gif")


def sender_of(config: SmtpConfig) -> Address:
    """The From address (with the sender's name, which may be Chinese)."""
    user, _, domain = config.sender.rpartition("@")
    return Address(display_name=config.sender_name, username=user, domain=domain)


def build_message(row: Mapping[str, Any], config: SmtpConfig, now: datetime, *, base_url: str,
                  key: str | None, attachments: Sequence[tuple[str, str, bytes]] = ()) -> EmailMessage:
    """The message of one `email_messages` row, ready for SMTP (tracked when the row says so and `key` is set),
    with its attachments ((file name, content type, bytes))."""
    html = str(row["html"])
    if row.get("track") and key:
        html = tracked_html(html, int(row["id"]), base_url=base_url, key=key)
    message = EmailMessage()
    message["From"] = sender_of(config)
    message["To"] = str(row["to_address"])
    message["Subject"] = str(row["subject"])
    message["Date"] = format_datetime(now)
    message["Message-ID"] = str(row["message_id"])
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: out-of-office replies should not answer it
    message.set_content(str(row["text"]), charset="utf-8", cte="quoted-printable")  # 7-bit safe for any server
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    for filename, content_type, data in attachments:
        main, _, sub = content_type.partition("/")
        message.add_attachment(data, maintype=main, subtype=sub or "octet-stream", filename=filename)
    return message
