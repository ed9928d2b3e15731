"""Sending one email from an outbox task: at most once in practice, at least once by design.

The runner has claimed the message and committed before this talks to the mail server,
and records the outcome after. Each failure is sorted by what it tells us:

- the server could not be reached, or answered "not now" (4xx): the email did not go;
  try again after the usual backoff;
- the server refused it for good (5xx): give up, with the server's reason on the row;
- the connection broke or timed out after the email was handed over: it may have gone.
  Try again only after OUTBOX_UNKNOWN_OUTCOME_SECONDS, with the same Message-ID, so a
  duplicate is rare and mail programs can tell it is one.

EMAIL_TIMEOUT bounds every wait on the server.
"""

import contextlib
import smtplib
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.message import make_msgid

from outbox.models import OutboxMessage
from outbox.runner import GiveUp, OutcomeUnknown, RetryLater, current_message


def _domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def message_id_for(message: OutboxMessage) -> str:
    """The Message-ID of the email an outbox message sends: the same on every attempt."""
    return f"<outbox.{message.pk}.{int(message.created_at.timestamp())}@{_domain()}>"


def deliver(email: EmailMessage) -> None:
    """Send `email` through the configured backend, raising RetryLater, GiveUp or
    OutcomeUnknown (see the module docstring) when it does not go."""
    message = current_message()
    email.extra_headers["Message-ID"] = (
        message_id_for(message) if message else make_msgid(domain=_domain())
    )
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
        smtp = getattr(connection, "connection", None)
        if smtp is not None and hasattr(smtp, "ehlo_or_helo_if_needed"):
            # Greet now, so a server that hangs before taking anything is "did not go".
            smtp.ehlo_or_helo_if_needed()
    except (OSError, smtplib.SMTPException) as exc:
        _close(connection)
        raise RetryLater(f"The mail server could not be reached: {exc}") from exc
    try:
        connection.send_messages([email])
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _text in exc.recipients.values()]
        if all(500 <= code < 600 for code in codes):
            raise GiveUp(f"The mail server refused the address: {exc.recipients}") from exc
        raise RetryLater(f"The mail server asked us to try later: {exc.recipients}") from exc
    except smtplib.SMTPResponseException as exc:
        text = f"{exc.smtp_code} {exc.smtp_error!r}"
        if 500 <= exc.smtp_code < 600:
            raise GiveUp(f"The mail server refused the email: {text}") from exc
        raise RetryLater(f"The mail server asked us to try later: {text}") from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise OutcomeUnknown(
            f"The connection to the mail server broke while sending; it may have gone: {exc!r}"
        ) from exc
    finally:
        _close(connection)


def _close(connection) -> None:
    # The email's outcome is already known; a failed QUIT changes nothing.
    with contextlib.suppress(OSError, smtplib.SMTPException):
        connection.close()
