"""Talking to the SMTP server with smtplib, and every failure turned into a MailError: refusals with a 5xx
reply (and bad addresses) are permanent, connection problems, timeouts and 4xx replies are worth a retry."""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from engine.mail.config import SmtpConfig, valid_address
from engine.mail.errors import MailError, reply_text


def _reason(exc: BaseException) -> str:
    return str(getattr(exc, "strerror", None) or exc or type(exc).__name__)


def _open(config: SmtpConfig) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if config.security == "ssl":
        return smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout, context=context)
    client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
    try:
        if config.security == "starttls":
            client.ehlo()
            if not client.has_extn("starttls"):
                raise MailError("no_starttls", host=config.host)
            client.starttls(context=context)
            client.ehlo()
        return client
    except BaseException:
        client.close()
        raise


def _sign_in(client: smtplib.SMTP, config: SmtpConfig) -> None:
    if not config.username:
        return
    client.ehlo_or_helo_if_needed()
    if not client.has_extn("auth"):
        raise MailError("no_auth", host=config.host)
    client.login(config.username, config.password)


@contextmanager
def connection(config: SmtpConfig) -> Iterator[smtplib.SMTP]:
    """A connected (and signed-in) SMTP client; every failure on the way in or while sending is a MailError."""
    if not config.configured:
        raise MailError("not_configured")
    where: dict[str, Any] = {"host": config.host, "port": config.port}
    try:
        client = _open(config)
        try:
            _sign_in(client, config)
            yield client
        finally:
            _quit(client)
    except MailError:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError("auth", smtp_code=exc.smtp_code, reply=reply_text(exc.smtp_code, exc.smtp_error)) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise MailError("server", reply=str(exc)) from None
    except smtplib.SMTPServerDisconnected as exc:
        raise MailError("disconnected", reason=_reason(exc)) from None
    except smtplib.SMTPResponseException as exc:
        raise MailError("server", permanent=exc.smtp_code >= 500 and not isinstance(exc, smtplib.SMTPConnectError),
                        smtp_code=exc.smtp_code, reply=reply_text(exc.smtp_code, exc.smtp_error)) from None
    except ssl.SSLError as exc:
        raise MailError("tls", reason=_reason(exc), **where) from None
    except (socket.timeout, TimeoutError):
        raise MailError("timeout", seconds=f"{config.timeout:g}", **where) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError("connect", reason=_reason(exc), **where) from None


def _quit(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()


def send(client: smtplib.SMTP, message: EmailMessage, sender: str, recipient: str) -> None:
    """Send one message to one recipient over an open connection; MailError on a refusal."""
    if not valid_address(recipient):
        raise MailError("bad_address", permanent=True, address=recipient)
    try:
        refused = client.send_message(message, from_addr=sender, to_addrs=[recipient])
    except smtplib.SMTPRecipientsRefused as exc:
        code, reply = next(iter(exc.recipients.values()), (550, b""))
        raise _refusal("recipient_refused", recipient, code, reply) from None
    except smtplib.SMTPSenderRefused as exc:
        raise _refusal("sender_refused", sender, exc.smtp_code, exc.smtp_error) from None
    except smtplib.SMTPDataError as exc:
        raise _refusal("data_refused", recipient, exc.smtp_code, exc.smtp_error) from None
    except smtplib.SMTPNotSupportedError:  # an address with non-ASCII characters and no SMTPUTF8 on the server
        raise MailError("no_utf8", permanent=True, address=recipient) from None
    if refused:
        code, reply = next(iter(refused.values()))
        raise _refusal("recipient_refused", recipient, code, reply)


def _refusal(code: str, address: str, smtp_code: int, reply: bytes | str) -> MailError:
    return MailError(code, permanent=smtp_code >= 500, smtp_code=smtp_code, address=address,
                     reply=reply_text(smtp_code, reply))
