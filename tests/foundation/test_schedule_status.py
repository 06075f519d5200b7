"""The daily schedule and the landing sensor start on unless switched off in settings."""

from __future__ import annotations

import dagster as dg
import pytest

from orchestration.resources import schedule_status, sensor_status


def test_schedule_and_sensor_are_on_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TANDEM_SCHEDULES_ENABLED", raising=False)
    assert schedule_status() == dg.DefaultScheduleStatus.RUNNING
    assert sensor_status() == dg.DefaultSensorStatus.RUNNING


def test_a_setting_switches_them_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TANDEM_SCHEDULES_ENABLED", "false")
    assert schedule_status() == dg.DefaultScheduleStatus.STOPPED
    assert sensor_status() == dg.DefaultSensorStatus.STOPPED


def test_the_definitions_use_the_setting() -> None:
    from orchestration.definitions import daily_schedule, defs

    # the test session runs with the default (on)
    assert daily_schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    sensor = defs.resolve_sensor_def("landing_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
