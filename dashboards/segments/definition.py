"""A segment definition: named conditions over what Tandem knows about a customer.

Definitions are plain YAML a marketer can write by hand or the segment page writes for them:

    name: lapsing-champions
    description: Champions whose churn risk went up
    conditions:
      rfm_segment: [champions, loyal]
      churn_band: [high]
      recency_days: {min: 60}
      spend: {min: 50000}

Lists mean "any of"; ``{min, max}`` are inclusive bounds. Consent in a definition narrows the
customers (by their contacts' consent); it can never widen an export, which sends only contacts
whose own consent allows marketing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from dashboards.i18n import labelled

# condition -> (source table, column); the SQL in query.py joins each source once
LIST_CONDITIONS: dict[str, tuple[str, str]] = {
    "rfm_segment": ("rfm", "segment"),
    "cluster": ("clusters", "cluster_name"),
    "churn_band": ("churn", "risk_band"),
    "clv_band": ("clv", "clv_band"),
    "acquisition_channel": ("c360", "acquisition_channel"),
    "region": ("c360", "region"),
    "industry": ("c360", "industry"),
    "owner": ("c360", "owner_name"),
    "consent": ("c360", "consent_status"),
}
RANGE_CONDITIONS: dict[str, tuple[str, str]] = {
    "recency_days": ("rfm", "recency_days"),
    "spend": ("c360", "lifetime_net_revenue"),
}
CONDITIONS = (*LIST_CONDITIONS, *RANGE_CONDITIONS)
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


class InvalidSegment(ValueError):
    """The definition cannot be used; the message names the field and what it expects."""


@dataclass(frozen=True)
class SegmentDefinition:
    name: str
    description: str = ""
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)
    ranges: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        conditions: dict[str, Any] = {key: list(values) for key, values in self.lists.items()}
        for key, (low, high) in self.ranges.items():
            bounds = {}
            if low is not None:
                bounds["min"] = low
            if high is not None:
                bounds["max"] = high
            conditions[key] = bounds
        return {"name": self.name, "description": self.description, "conditions": conditions}

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=True)


def _number(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidSegment(f"{where} must be a number, got {value!r}")
    return float(value)


def from_dict(data: dict[str, Any]) -> SegmentDefinition:
    """Validate a parsed definition; raise :class:`InvalidSegment` naming what is wrong."""
    if not isinstance(data, dict):
        raise InvalidSegment("a segment definition is a mapping with name and conditions")
    name = str(data.get("name", "")).strip()
    if not NAME.match(name):
        raise labelled(InvalidSegment, "sb.bad_name", name=repr(name))
    conditions = data.get("conditions") or {}
    if not isinstance(conditions, dict):
        raise InvalidSegment("conditions must be a mapping of condition: values")
    unknown = sorted(set(conditions) - set(CONDITIONS))
    if unknown:
        raise InvalidSegment(f"unknown condition(s) {unknown}: use {', '.join(CONDITIONS)}")
    lists: dict[str, tuple[str, ...]] = {}
    ranges: dict[str, tuple[float | None, float | None]] = {}
    for key, value in conditions.items():
        if key in LIST_CONDITIONS:
            values = [value] if isinstance(value, str) else value
            if not isinstance(values, list) or not values:
                raise InvalidSegment(f"{key} must be a non-empty list of values")
            lists[key] = tuple(sorted({str(v) for v in values}))
        else:
            if not isinstance(value, dict) or not set(value) <= {"min", "max"} or not value:
                raise InvalidSegment(f"{key} must be {{min: N}}, {{max: N}} or both")
            low, high = _number(value.get("min"), f"{key}.min"), _number(value.get("max"), key)
            if low is not None and high is not None and low > high:
                raise InvalidSegment(f"{key}: min {low:g} is above max {high:g}")
            ranges[key] = (low, high)
    return SegmentDefinition(name, str(data.get("description") or ""), lists, ranges)


def from_yaml(text: str) -> SegmentDefinition:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InvalidSegment(f"not valid YAML: {error}") from error
    return from_dict(data)
