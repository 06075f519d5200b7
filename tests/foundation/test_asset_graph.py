"""A snapshot of the whole Dagster graph, so any change to it shows up in review.

When the graph changes on purpose, refresh the snapshot with
``TANDEM_UPDATE_SNAPSHOTS=1 pytest tests/foundation/test_asset_graph.py`` and commit the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.json"


def describe_graph() -> dict:
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "deps": sorted(dep.to_user_string() for dep in node.parent_keys),
            "partitioned": node.partitions_def is not None,
        }
    return {
        "assets": assets,
        "checks": sorted(check.to_user_string() for check in graph.asset_check_keys),
        "jobs": sorted(job.name for job in defs.jobs or []),
        "schedules": sorted((s.name, s.cron_schedule, s.job_name) for s in defs.schedules or []),
        "sensors": sorted(sensor.name for sensor in defs.sensors or []),
    }


def test_asset_graph_matches_snapshot() -> None:
    current = json.loads(json.dumps(describe_graph(), ensure_ascii=False))
    if os.environ.get("TANDEM_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(
            json.dumps(current, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert current == expected, (
        "the Dagster graph changed: review it, then refresh the snapshot with "
        "TANDEM_UPDATE_SNAPSHOTS=1 (see this module's docstring)"
    )


def test_every_job_resolves_and_publish_is_last() -> None:
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    for job in defs.jobs or []:
        defs.resolve_job_def(job.name)
    serving = next(k for k in graph.get_all_asset_keys() if k.path == ["serving_warehouse"])
    upstream = graph.upstream_key_iterator(serving)
    # publish waits for every other asset of the pipeline
    assert set(upstream) == set(graph.get_all_asset_keys()) - {serving}
