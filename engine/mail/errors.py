"""Why a message could not be sent, in Chinese and English, and whether trying again can help."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# code → (zh, en); `{name}` placeholders are filled from the error's params
MESSAGES: Mapping[str, tuple[str, str]] = {
    "not_configured": ("尚未配置发信服务器:请在“邮件”设置页填写 SMTP 服务器(或设置 FORMWORK_SMTP_URL)。",
                       "No SMTP server is set up: enter one on the E-mail settings page (or set FORMWORK_SMTP_URL)."),
    "bad_address": ("“{address}”不是有效的邮箱地址。", "'{address}' is not a valid e-mail address."),
    "connect": ("无法连接到 {host}:{port}:{reason}", "Could not connect to {host}:{port}: {reason}"),
    "timeout": ("{host}:{port} 在 {seconds} 秒内没有响应。", "{host}:{port} did not answer within {seconds} s."),
    "tls": ("与 {host}:{port} 建立加密连接(TLS)失败:{reason}",
            "The secure connection (TLS) to {host}:{port} failed: {reason}"),
    "no_starttls": ("{host} 不支持 STARTTLS,请换一种加密方式。",
                    "{host} does not offer STARTTLS; choose another security setting."),
    "no_auth": ("{host} 不支持登录(AUTH):请清空用户名,或在服务器上启用登录。",
                "{host} does not offer sign-in (AUTH): leave the user name empty, or enable it on the server."),
    "auth": ("服务器拒绝了用户名或密码:{reply}", "The server refused the user name or password: {reply}"),
    "sender_refused": ("服务器拒绝了发件人 {address}:{reply}", "The server refused the sender {address}: {reply}"),
    "recipient_refused": ("服务器拒绝了收件人 {address}:{reply}", "The server refused the recipient {address}: {reply}"),
    "data_refused": ("服务器拒绝了这封邮件:{reply}", "The server refused the message: {reply}"),
    "no_utf8": ("服务器不支持含非 ASCII 字符的地址(SMTPUTF8):{address}",
                "The server does not accept addresses with non-ASCII characters (SMTPUTF8): {address}"),
    "disconnected": ("服务器断开了连接:{reason}", "The server closed the connection: {reason}"),
    "server": ("服务器回答:{reply}", "The server answered: {reply}"),
    "missing": ("邮件 #{id} 已不存在。", "Message #{id} no longer exists."),
}


class MailError(Exception):
    """A failed send: a catalogue code with its values, the SMTP reply code if any, and whether it is final."""

    def __init__(self, code: str, *, permanent: bool = False, smtp_code: int | None = None, **params: Any):
        self.code, self.permanent, self.smtp_code, self.params = code, permanent, smtp_code, params
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        """The error in words, in `lang` (zh or en)."""
        zh, en = MESSAGES.get(self.code, ("{code}", "{code}"))
        template = zh if lang == "zh" else en
        try:
            return template.format(code=self.code, **self.params)
        except (KeyError, IndexError):
            return template


def reply_text(code: int, raw: bytes | str) -> str:
    """An SMTP reply as people read it: `550 5.1.1 mailbox unavailable`."""
    words = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return f"{code} {' '.join(words.split())}".strip()
