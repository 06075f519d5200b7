"""Alerts reach a real local SMTP server and a real local webhook; none configured, none sent."""

from __future__ import annotations

import logging

import pytest

from orchestration.alerts import send_alerts
from orchestration.settings import TandemSettings
from tests.foundation.alert_servers import free_port, smtp_server, webhook_server

SUBJECT = "Tandem run 1234abcd blocked: source_freshness on raw_erp.sales_invoices"
BODY = "publishing blocked by 1 error-level check(s): freshness check source_freshness (客户)"


def test_email_and_webhook_carry_the_failed_check(tmp_path) -> None:
    with smtp_server() as (port, inbox), webhook_server() as (url, posts):
        settings = TandemSettings(
            home=tmp_path,
            alert_smtp_host="127.0.0.1",
            alert_smtp_port=port,
            alert_smtp_to="ops@example.com, finance@example.com",
            alert_webhook_url=url,
        )
        sent = send_alerts(settings, SUBJECT, BODY, {"run_id": "1234abcd"})
    assert sent == ["email", "webhook"]
    assert len(inbox) == 1
    mail = inbox[0]
    assert mail["Subject"] == SUBJECT
    assert mail["To"] == "ops@example.com, finance@example.com"
    assert "source_freshness" in mail.get_content()
    assert posts == [{"subject": SUBJECT, "text": BODY, "run_id": "1234abcd"}]


def test_no_setting_no_alert_and_one_log_line(tmp_path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="tandem.alerts"):
        sent = send_alerts(TandemSettings(home=tmp_path), SUBJECT, BODY, {})
    assert sent == []
    assert len(caplog.records) == 1
    assert "no alert sent" in caplog.records[0].getMessage()


def test_an_unreachable_server_is_logged_not_raised(tmp_path, caplog) -> None:
    settings = TandemSettings(
        home=tmp_path,
        alert_smtp_host="127.0.0.1",
        alert_smtp_port=free_port(),  # nothing listens there
        alert_smtp_to="ops@example.com",
    )
    with caplog.at_level(logging.ERROR, logger="tandem.alerts"):
        assert send_alerts(settings, SUBJECT, BODY, {}) == []
    assert "alert e-mail via 127.0.0.1 failed" in caplog.text


def test_a_run_stopped_on_request_alerts_no_one_and_a_failed_one_does(tmp_path) -> None:
    import dagster as dg

    from orchestration.quality_gate import after_run

    with smtp_server() as (port, inbox), dg.DagsterInstance.ephemeral() as instance:
        settings = TandemSettings(
            home=tmp_path,
            alert_smtp_host="127.0.0.1",
            alert_smtp_port=port,
            alert_smtp_to="ops@example.com",
        )
        stopped = after_run(instance, "stopped-run", settings, success=False, interrupted=True)
        failed = after_run(instance, "failed-run", settings, success=False)
    assert stopped["alerts"] == []
    assert stopped["interrupted"] is True
    assert "stopped on request" in stopped["message"]
    assert failed["alerts"] == ["email"]
    assert len(inbox) == 1
    assert inbox[0]["Subject"].startswith("Tandem run failed-r failed")
    assert "run id: failed-run" in inbox[0].get_content()
