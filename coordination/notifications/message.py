"""Building one e-mail: plain text and HTML from templates, safe headers, canonical links, Message-ID."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale

from coordination.db import utcnow

# Transfer encodings chosen so the stored message is plain ASCII (quoted-printable or base64
# for non-ASCII text): it then passes any SMTP server, 8BITMIME or not.
MAIL_POLICY = policy.default.clone(cte_type="7bit")


class HeaderInjectionError(ValueError):
    """A value meant for a header holds a line break (it could add headers of its own)."""


def header_safe(value: str) -> str:
    """``value`` unchanged if it may go into a header; refuse line breaks (and NULs)."""
    if any(ch in value for ch in "\r\n\x00\x0b\x0c\x85\u2028\u2029"):
        raise HeaderInjectionError(f"line break in a header value: {value[:40]!r}")
    return value


def base_url() -> str:
    """The portal's canonical address (``BASE_URL``): mail links never come from a request's Host."""
    return current_app.config["BASE_URL"].rstrip("/")


def link(endpoint: str, **values: Any) -> str:
    """An absolute URL to ``endpoint`` built on ``BASE_URL``, inside or outside a request."""
    parts = urlsplit(base_url())
    adapter = current_app.url_map.bind(parts.netloc, url_scheme=parts.scheme or "https", script_name=parts.path or "/")
    return adapter.build(endpoint, values, force_external=True)


def mail_domain() -> str:
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    return sender.rsplit("@", 1)[-1].strip(">") or "concertation.invalid"


def new_message_id() -> str:
    """A Message-ID fixed when the message is queued, so every retry is the same message."""
    return f"<{secrets.token_hex(16)}@{mail_domain()}>"


@dataclass
class Attachment:
    filename: str
    content: bytes
    maintype: str
    subtype: str


@dataclass
class Mail:
    """What a builder produces: everything but the transport."""

    kind: str
    to_address: str
    to_name: str
    subject: str
    text: str
    html: str
    user_id: int | None = None
    calendar: str | None = None  # iCalendar text for a text/calendar part
    calendar_method: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    message_id: str = field(default_factory=new_message_id)
    sender_name: str | None = None
    reply_to: str | None = None


def render(template: str, language: str | None, **context: Any) -> tuple[str, str]:
    """The text and HTML bodies of ``templates/mail/<template>.{txt,html}`` in ``language``.

    The HTML template is auto-escaped (Jinja escapes every ``.html`` template); the text one is not.
    """
    languages = current_app.config["LANGUAGES"]
    locale = language if language in languages else current_app.config["BABEL_DEFAULT_LOCALE"]
    context.setdefault("portal_url", base_url())
    with force_locale(locale):
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", **context)
    return text, html


def to_email(mail: Mail) -> EmailMessage:
    """The MIME message: multipart/alternative (text, HTML, and the iTIP text/calendar part when
    there is one) inside multipart/mixed when something is attached."""
    config = current_app.config
    msg = EmailMessage(policy=MAIL_POLICY)
    sender_address = config["MAIL_DEFAULT_SENDER"]
    sender_name = header_safe(mail.sender_name or config["MAIL_SENDER_NAME"])
    msg["From"] = Address(display_name=sender_name, addr_spec=header_safe(sender_address))
    msg["To"] = Address(display_name=header_safe(mail.to_name), addr_spec=header_safe(mail.to_address))
    msg["Subject"] = header_safe(mail.subject)
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = header_safe(mail.message_id)
    if mail.reply_to:
        msg["Reply-To"] = header_safe(mail.reply_to)
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Concertation-Kind"] = header_safe(mail.kind)
    msg.set_content(mail.text)
    msg.add_alternative(mail.html, subtype="html")
    if mail.calendar:
        # MIME text has canonical line ends of its own: CRLF on the wire, whatever is stored.
        calendar = mail.calendar.replace("\r\n", "\n")
        msg.add_alternative(calendar, subtype="calendar", params={"method": mail.calendar_method or "REQUEST"})
        # Also as a file, for programs that only look at attachments.
        msg.add_attachment(mail.calendar.encode(), maintype="application", subtype="ics",
                           filename="invite.ics" if mail.calendar_method != "CANCEL" else "cancel.ics")
    for attachment in mail.attachments:
        msg.add_attachment(attachment.content, maintype=attachment.maintype, subtype=attachment.subtype,
                           filename=header_safe(attachment.filename))
    return msg
