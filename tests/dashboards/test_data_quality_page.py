"""The Data quality page's banner for a newest run that did not publish, per outcome."""

from __future__ import annotations

import json

import pytest

from dashboards.i18n import t
from orchestration.run_report import last_run_path, write_last_run
from orchestration.settings import TandemSettings
from tests.dashboards.conftest import open_page

# what the quality gate writes for a run stopped on request (its wording, English only)
STOPPED = "run stopped on request (SIGTERM or Ctrl+C) before it published"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_interrupted_run_is_said_as_interrupted_not_failed(
    empty_published: TandemSettings, lang: str
) -> None:
    write_last_run(
        empty_published.warehouse_dir, "run-1", False, {"interrupted": True, "message": STOPPED}
    )
    report = json.loads(last_run_path(empty_published.warehouse_dir).read_text("utf-8"))
    assert report["status"] == "interrupted"
    when = report["finished_at"].replace("T", " ")
    app = open_page("data_quality", lang)
    assert [w.value for w in app.warning] == [t("dq.last_run_interrupted", lang=lang, when=when)]
    # a stop is not a failure: no red banner, and no English run message in a Chinese page
    assert not app.error and not app.exception
    assert all(STOPPED not in w.value for w in app.warning)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_failed_run_is_still_said_as_failed(empty_published: TandemSettings, lang: str) -> None:
    message = "run failed: step dbt_build: boom"
    write_last_run(empty_published.warehouse_dir, "run-2", False, {"message": message})
    report = json.loads(last_run_path(empty_published.warehouse_dir).read_text("utf-8"))
    assert report["status"] == "failed"
    when = report["finished_at"].replace("T", " ")
    app = open_page("data_quality", lang)
    expected = t("dq.last_run_failed", lang=lang, when=when, message=message)
    assert [e.value for e in app.error] == [expected]
    assert not app.warning
