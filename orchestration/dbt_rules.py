"""The dbt project's structure rules, checked over dbt's manifest by ``make lint``.

The rules are those of dbt-project-evaluator, written for Tandem's layout (dbt Labs' structure
guide); each finding names the rule, the model and what to do. A finding that is right for a
reason is listed with that reason in ``dbt_project/project_rules.yml``; an exception that no
longer matches anything is itself a finding, so the list never outlives its reasons.

    python -m orchestration.dbt_rules [--manifest PATH] [--exceptions PATH]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from orchestration.settings import DBT_PROJECT_DIR

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
EXCEPTIONS = DBT_PROJECT_DIR / "project_rules.yml"
MART_PREFIXES = ("dim_", "fct_", "rpt_")
# a parent with more direct leaf children than this is a fan-out (the evaluator's default)
MAX_LEAF_CHILDREN = 3
KEY_TESTS = {"unique_key_columns"}


@dataclass(frozen=True, order=True)
class Finding:
    rule: str
    model: str
    parent: str
    message: str

    def __str__(self) -> str:
        on = f" (parent {self.parent})" if self.parent else ""
        return f"{self.rule}: {self.model}{on}: {self.message}"


class Project:
    """The models, sources, tests and exposures of one manifest, with their edges."""

    def __init__(self, manifest: dict[str, Any]) -> None:
        nodes = manifest["nodes"]
        self.models = {k: v for k, v in nodes.items() if v["resource_type"] == "model"}
        self.tests = [v for v in nodes.values() if v["resource_type"] == "test"]
        # what a ref() can name: models, seeds and snapshots
        self.refable = {v["name"] for v in nodes.values() if v["resource_type"] != "test"}
        self.sources = manifest.get("sources", {})
        self.exposures = manifest.get("exposures", {})
        self.children: dict[str, set[str]] = defaultdict(set)
        for key, model in self.models.items():
            for parent in model["depends_on"]["nodes"]:
                self.children[parent].add(key)

    def name(self, key: str) -> str:
        node = self.models.get(key) or self.sources.get(key)
        if node is None:
            return key.split(".")[-1]
        if key in self.sources:
            return f"{node['source_name']}.{node['name']}"
        return node["name"]

    def layer(self, key: str) -> str:
        if key in self.sources:
            return "source"
        if key.startswith("seed."):
            return "seed"
        fqn = self.models[key]["fqn"] if key in self.models else []
        return fqn[1] if len(fqn) > 2 else "root"

    def parents(self, key: str) -> list[str]:
        return [p for p in self.models[key]["depends_on"]["nodes"] if not p.startswith("macro.")]


def check_directories(project: Project) -> Iterable[Finding]:
    """Each model sits in its layer's folder and carries the folder's name in its own."""
    source_systems = {s["source_name"].removeprefix("raw_") for s in project.sources.values()}
    for key, model in project.models.items():
        name, fqn = model["name"], model["fqn"]
        layer, folder = project.layer(key), fqn[2] if len(fqn) > 3 else ""
        if layer == "staging":
            if folder not in source_systems or not name.startswith(f"stg_{folder}__"):
                yield Finding(
                    "model_directories",
                    name,
                    "",
                    "staging models live in staging/<system>/ and are named"
                    f" stg_<system>__<entity>, with <system> one of {sorted(source_systems)}",
                )
        elif layer == "intermediate":
            if not folder or not name.startswith(f"int_{folder}__"):
                yield Finding(
                    "model_directories",
                    name,
                    "",
                    "intermediate models live in intermediate/<domain>/ and are named"
                    " int_<domain>__<what>",
                )
        elif layer == "marts":
            if not folder or not name.startswith(MART_PREFIXES):
                yield Finding(
                    "model_directories",
                    name,
                    "",
                    "marts live in marts/<area>/ and are named dim_, fct_ or rpt_",
                )
        else:
            yield Finding(
                "model_directories", name, "", "models live under staging, intermediate or marts"
            )


def check_sources(project: Project) -> Iterable[Finding]:
    """Only staging reads sources, and each source table is read by one staging model."""
    readers: dict[str, list[str]] = defaultdict(list)
    for key in project.models:
        for parent in project.parents(key):
            if parent in project.sources:
                readers[parent].append(key)
                if project.layer(key) != "staging":
                    yield Finding(
                        "direct_join_to_source",
                        project.name(key),
                        project.name(parent),
                        "read sources in a staging model and ref() that instead",
                    )
    for source, keys in readers.items():
        if len(keys) > 1:
            for key in keys:
                yield Finding(
                    "source_fanout",
                    project.name(key),
                    project.name(source),
                    f"{len(keys)} models read this source: one staging model should",
                )


ALLOWED_PARENTS = {
    "staging": {"source", "seed"},
    "intermediate": {"staging", "intermediate", "seed"},
    "marts": {"intermediate", "marts", "seed", "staging"},
}


def check_layers(project: Project) -> Iterable[Finding]:
    """Layers go one way: staging -> intermediate -> marts; a mart that joins reads intermediate."""
    for key in project.models:
        layer, parents = project.layer(key), project.parents(key)
        for parent in parents:
            parent_layer = project.layer(parent)
            wrong = parent_layer not in ALLOWED_PARENTS.get(layer, set())
            # a mart may pass one staging model through; once it joins, it reads intermediate
            joined_staging = layer == "marts" and parent_layer == "staging" and len(parents) > 1
            if wrong or joined_staging:
                yield Finding(
                    "layer_direction",
                    project.name(key),
                    project.name(parent),
                    f"a {layer} model reading {parent_layer}: "
                    + (
                        "move the join into an intermediate model"
                        if joined_staging
                        else "layers go staging -> intermediate -> marts"
                    ),
                )


def check_rejoins(project: Project) -> Iterable[Finding]:
    """A model that reads A and B, where B reads A and has no other child, rejoins A."""
    for key in project.models:
        parents = set(project.parents(key))
        for middle in parents & set(project.models):
            if project.children[middle] != {key}:
                continue
            for upstream in parents & set(project.parents(middle)):
                yield Finding(
                    "rejoining_upstream",
                    project.name(key),
                    project.name(upstream),
                    f"also reads it through {project.name(middle)}, whose only child it is:"
                    " fold one into the other",
                )


def check_fanout(project: Project) -> Iterable[Finding]:
    """A parent with many leaf children hides a missing shared model."""
    for parent, children in project.children.items():
        if parent not in project.models:
            continue
        leaves = sorted(c for c in children if not project.children.get(c))
        if len(leaves) > MAX_LEAF_CHILDREN:
            yield Finding(
                "model_fanout",
                project.name(parent),
                "",
                f"{len(leaves)} leaf children ({', '.join(project.name(c) for c in leaves)}):"
                " share their common logic in one model, or list it as an exception",
            )


def check_keys_and_docs(project: Project) -> Iterable[Finding]:
    """Every model has a primary-key test and a description of itself and of every column."""
    unique: dict[str, set[str]] = defaultdict(set)
    not_null: dict[str, set[str]] = defaultdict(set)
    keyed: set[str] = set()
    for test in project.tests:
        meta, node = test.get("test_metadata") or {}, test.get("attached_node")
        if not node:
            continue
        column = test.get("column_name") or ""
        if meta.get("name") == "unique":
            unique[node].add(column)
        elif meta.get("name") == "not_null":
            not_null[node].add(column)
        elif meta.get("name") in KEY_TESTS:
            keyed.add(node)
    for key, model in project.models.items():
        if key not in keyed and not (unique[key] & not_null[key]):
            yield Finding(
                "missing_primary_key_test",
                model["name"],
                "",
                "add unique and not_null on its key column (or unique_key_columns)",
            )
        if not model.get("description", "").strip():
            yield Finding("undocumented_model", model["name"], "", "describe it in its YAML")
        bare = [c for c, spec in model.get("columns", {}).items() if not spec.get("description")]
        if bare or not model.get("columns"):
            yield Finding(
                "undocumented_columns",
                model["name"],
                "",
                f"describe every column in its YAML ({', '.join(bare) or 'none listed'})",
            )


def check_exposures(project: Project) -> Iterable[Finding]:
    """Exposures read marts only: nothing outside dbt reads staging or intermediate."""
    for exposure in project.exposures.values():
        for parent in exposure["depends_on"]["nodes"]:
            if parent in project.models and project.layer(parent) != "marts":
                yield Finding(
                    "exposure_reads_below_marts",
                    f"exposure {exposure['name']}",
                    project.name(parent),
                    "consumers read marts; publish what they need as a mart",
                )


def check_refs_resolve(project: Project) -> Iterable[Finding]:
    """Every ref() names a model, seed or snapshot: dbt only warns about one that does not and
    then runs the test without that parent (a reconciliation test read a renamed model for
    weeks, unseen)."""
    for node in [*project.models.values(), *project.tests]:
        for ref in node.get("refs", []):
            if ref["name"] not in project.refable:
                yield Finding(
                    "unresolved_ref",
                    node["name"],
                    ref["name"],
                    "ref() names no model, seed or snapshot: rename it to the model's current name",
                )


RULES = (
    check_refs_resolve,
    check_directories,
    check_sources,
    check_layers,
    check_rejoins,
    check_fanout,
    check_keys_and_docs,
    check_exposures,
)


def evaluate(manifest: dict[str, Any]) -> list[Finding]:
    """Every finding of every rule, sorted."""
    project = Project(manifest)
    return sorted({finding for rule in RULES for finding in rule(project)})


def load_exceptions(path: Path) -> list[dict[str, str]]:
    """The allowed findings: rule, model, optional parent and the reason (``why``)."""
    if not path.exists():
        return []
    entries = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("exceptions") or []
    for entry in entries:
        missing = {"rule", "model", "why"} - set(entry)
        if missing or not str(entry.get("why", "")).strip():
            raise ValueError(f"{path.name}: exception {entry} lacks {sorted(missing) or ['why']}")
    return entries


def _matches(entry: dict[str, str], finding: Finding) -> bool:
    return (
        entry["rule"] == finding.rule
        and entry["model"] == finding.model
        and re.fullmatch(entry.get("parent") or ".*", finding.parent or "") is not None
    )


def unexcepted(
    findings: list[Finding], exceptions: list[dict[str, str]]
) -> tuple[list[Finding], list[dict[str, str]]]:
    """The findings no exception allows, and the exceptions that allow nothing any more."""
    open_findings = [f for f in findings if not any(_matches(e, f) for e in exceptions)]
    stale = [e for e in exceptions if not any(_matches(e, f) for f in findings)]
    return open_findings, stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    parser.add_argument("--exceptions", type=Path, default=EXCEPTIONS)
    args = parser.parse_args(argv)
    if not args.manifest.exists():
        print(f"dbt_rules: {args.manifest} is missing: run `make manifest`", file=sys.stderr)
        return 2
    findings = evaluate(json.loads(args.manifest.read_text(encoding="utf-8")))
    open_findings, stale = unexcepted(findings, load_exceptions(args.exceptions))
    for finding in open_findings:
        print(finding, file=sys.stderr)
    for entry in stale:
        print(
            f"stale exception in {args.exceptions.name}: {entry['rule']} {entry['model']}"
            f" {entry.get('parent', '')}: it matches nothing now, remove it",
            file=sys.stderr,
        )
    allowed = len(findings) - len(open_findings)
    print(
        f"dbt_rules: {len(open_findings)} finding(s), {len(stale)} stale exception(s),"
        f" {allowed} allowed by {args.exceptions.name}",
        file=sys.stderr,
    )
    return 1 if open_findings or stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
