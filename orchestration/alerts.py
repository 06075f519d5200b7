"""Alerts for a failed or blocked run: an e-mail (SMTP), a JSON POST to a webhook, or both.

Configured with ``TANDEM_ALERT_*`` settings (orchestration/settings.py); with none configured a
run sends nothing and logs one line saying so. A failing alert channel is logged, never raised:
the run's own failure is what the operator must see.
"""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.request
from email import policy
from email.message import EmailMessage
from typing import Any

from orchestration.settings import TandemSettings

_LOG = logging.getLogger("tandem.alerts")
TIMEOUT_SECONDS = 10


def _recipients(settings: TandemSettings) -> list[str]:
    return [a.strip() for a in settings.alert_smtp_to.split(",") if a.strip()]


def send_email(settings: TandemSettings, subject: str, body: str) -> None:
    """Send one plain-text alert e-mail through the configured SMTP server."""
    # no folding of a long subject: some readers keep the fold's leading space
    message = EmailMessage(policy=policy.SMTP.clone(max_line_length=998))
    message["Subject"] = subject
    message["From"] = settings.alert_smtp_from
    message["To"] = ", ".join(_recipients(settings))
    message.set_content(body)
    with smtplib.SMTP(
        settings.alert_smtp_host, settings.alert_smtp_port, timeout=TIMEOUT_SECONDS
    ) as smtp:
        if settings.alert_smtp_starttls:
            smtp.starttls()
        if settings.alert_smtp_user:
            smtp.login(settings.alert_smtp_user, settings.alert_smtp_password)
        smtp.send_message(message)


def post_webhook(url: str, payload: dict[str, Any]) -> int:
    """POST ``payload`` as JSON; returns the HTTP status."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        return response.status


def send_alerts(
    settings: TandemSettings, subject: str, body: str, payload: dict[str, Any]
) -> list[str]:
    """Send the alert on every configured channel; returns the channels that delivered it."""
    sent = []
    email_on = bool(settings.alert_smtp_host and _recipients(settings))
    if not email_on and not settings.alert_webhook_url:
        _LOG.warning(
            "no alert sent: set TANDEM_ALERT_SMTP_HOST and TANDEM_ALERT_SMTP_TO, or "
            "TANDEM_ALERT_WEBHOOK_URL, to be told of failed runs"
        )
        return sent
    if email_on:
        try:
            send_email(settings, subject, body)
            sent.append("email")
        except (OSError, smtplib.SMTPException) as error:
            _LOG.error("alert e-mail via %s failed: %s", settings.alert_smtp_host, error)
    if settings.alert_webhook_url:
        try:
            post_webhook(settings.alert_webhook_url, {"subject": subject, "text": body, **payload})
            sent.append("webhook")
        except OSError as error:
            _LOG.error("alert webhook failed: %s", error)
    return sent
