"""Saved segments in the application store: every save that changes a definition is a version."""

from __future__ import annotations

from dataclasses import dataclass

from dashboards.appstore import connect
from dashboards.segments.definition import SegmentDefinition, from_yaml


@dataclass(frozen=True)
class SavedSegment:
    definition: SegmentDefinition
    version: int
    created_by: str
    created_at: str


class SegmentNotFound(LookupError):
    """No saved segment of that name (or version)."""


def save_segment(definition: SegmentDefinition, username: str) -> SavedSegment:
    """Store ``definition`` as the next version of its name (the same text keeps its version)."""
    text = definition.to_yaml()
    with connect() as con:
        latest = con.execute(
            "select version, definition from segments where name = ? order by version desc limit 1",
            [definition.name],
        ).fetchone()
        if latest and latest["definition"] == text:
            return load_segment(definition.name, latest["version"])
        version = (latest["version"] + 1) if latest else 1
        con.execute(
            "insert into segments (name, version, definition, created_by) values (?, ?, ?, ?)",
            [definition.name, version, text, username],
        )
    return load_segment(definition.name, version)


def load_segment(name: str, version: int | None = None) -> SavedSegment:
    """The latest (or the given) version of a saved segment."""
    with connect() as con:
        if version is None:
            row = con.execute(
                "select * from segments where name = ? order by version desc limit 1", [name]
            ).fetchone()
        else:
            row = con.execute(
                "select * from segments where name = ? and version = ?", [name, version]
            ).fetchone()
    if row is None:
        known = ", ".join(segment_names()) or "none saved yet"
        raise SegmentNotFound(f"no saved segment {name!r} (saved segments: {known})")
    return SavedSegment(
        from_yaml(row["definition"]), row["version"], row["created_by"], row["created_at"]
    )


def segment_names() -> list[str]:
    with connect() as con:
        return [r[0] for r in con.execute("select distinct name from segments order by name")]
