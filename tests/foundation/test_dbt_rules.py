"""The dbt structure rules find what they are written for, on a manifest made by hand, and the
project's own manifest passes them with its listed exceptions."""

from __future__ import annotations

import json
from pathlib import Path

from orchestration.dbt_rules import (
    EXCEPTIONS,
    MANIFEST,
    Finding,
    evaluate,
    load_exceptions,
    main,
    unexcepted,
)


def model(name: str, path: str, parents: list[str], documented: bool = True) -> dict:
    folders = path.split("/")
    return {
        "resource_type": "model",
        "name": name,
        "fqn": ["tandem", *folders, name],
        "depends_on": {"nodes": parents},
        "description": "what it is" if documented else "",
        "columns": {"id": {"description": "key" if documented else ""}},
    }


def key_tests(node: str) -> dict:
    return {
        f"test.{node}.{kind}": {
            "resource_type": "test",
            "attached_node": node,
            "column_name": "id",
            "test_metadata": {"name": kind},
        }
        for kind in ("unique", "not_null")
    }


def manifest(models: dict[str, dict], keyed: list[str]) -> dict:
    nodes = dict(models)
    for key in keyed:
        nodes.update(key_tests(key))
    sources = {
        f"source.tandem.raw_erp.{name}": {"source_name": "raw_erp", "name": name}
        for name in ("orders", "customers")
    }
    exposures = {
        "exposure.tandem.page_finance": {
            "name": "page_finance",
            "depends_on": {"nodes": ["model.tandem.int_finance__orders"]},
        }
    }
    return {"nodes": nodes, "sources": sources, "exposures": exposures}


def test_each_rule_finds_its_case() -> None:
    m = "model.tandem."
    models = {
        f"{m}stg_erp__orders": model(
            "stg_erp__orders", "staging/erp", ["source.tandem.raw_erp.orders"]
        ),
        # reads a source outside staging, and the same source as stg_erp__orders
        f"{m}int_finance__orders": model(
            "int_finance__orders",
            "intermediate/finance",
            [f"{m}stg_erp__orders", "source.tandem.raw_erp.orders"],
        ),
        # wrong prefix for its folder, undocumented, and no key test
        f"{m}stg_mkt__spend": model(
            "stg_mkt__spend", "staging/erp", ["source.tandem.raw_erp.customers"], documented=False
        ),
        # an intermediate model reading a mart
        f"{m}int_finance__late": model("int_finance__late", "intermediate/finance", [f"{m}rpt_a"]),
        # a mart joining staging and rejoining stg through its only child
        f"{m}rpt_a": model("rpt_a", "marts/finance", [f"{m}stg_erp__orders", f"{m}fct_b"]),
        f"{m}fct_b": model("fct_b", "marts/finance", [f"{m}stg_erp__orders"]),
    }
    keyed = [k for k in models if not k.endswith("stg_mkt__spend")]
    found = {(f.rule, f.model, f.parent) for f in evaluate(manifest(models, keyed))}
    assert ("model_directories", "stg_mkt__spend", "") in found
    assert ("direct_join_to_source", "int_finance__orders", "raw_erp.orders") in found
    assert ("source_fanout", "stg_erp__orders", "raw_erp.orders") in found
    assert ("layer_direction", "int_finance__late", "rpt_a") in found
    assert ("layer_direction", "rpt_a", "stg_erp__orders") in found
    assert ("layer_direction", "fct_b", "stg_erp__orders") not in found  # a pass-through
    assert ("rejoining_upstream", "rpt_a", "stg_erp__orders") in found
    assert ("missing_primary_key_test", "stg_mkt__spend", "") in found
    assert ("undocumented_model", "stg_mkt__spend", "") in found
    assert ("exposure_reads_below_marts", "exposure page_finance", "int_finance__orders") in found
    assert not any(f[1] == "stg_erp__orders" and f[0] != "source_fanout" for f in found)


def test_fanout_counts_leaf_children() -> None:
    m = "model.tandem."
    models = {f"{m}fct_x": model("fct_x", "marts/core", [])}
    for n in range(4):
        models[f"{m}rpt_{n}"] = model(f"rpt_{n}", "marts/core", [f"{m}fct_x"])
    findings = evaluate(manifest(models, list(models)))
    assert [f.rule for f in findings if f.model == "fct_x"] == ["model_fanout"]
    del models[f"{m}rpt_3"]
    assert not [f for f in evaluate(manifest(models, list(models))) if f.model == "fct_x"]


def test_a_ref_to_a_renamed_model_is_found() -> None:
    """dbt only warns, and then runs the test without that parent: the AR reconciliation test
    read `int_as_of_date` long after it was renamed."""
    m = "model.tandem."
    models = {f"{m}dim_as_of_date": model("dim_as_of_date", "marts/core", [])}
    built = manifest(models, list(models))
    reconciliation = {
        "resource_type": "test",
        "name": "assert_ar_reconciles",
        "refs": [{"name": "int_as_of_date"}, {"name": "dim_as_of_date"}],
        "depends_on": {"nodes": [f"{m}dim_as_of_date"]},
    }
    built["nodes"]["test.tandem.assert_ar_reconciles"] = reconciliation
    found = [(f.rule, f.model, f.parent) for f in evaluate(built) if f.rule == "unresolved_ref"]
    assert found == [("unresolved_ref", "assert_ar_reconciles", "int_as_of_date")]
    reconciliation["refs"] = [{"name": "dim_as_of_date"}]
    assert not [f for f in evaluate(built) if f.rule == "unresolved_ref"]


def test_exceptions_allow_by_rule_model_and_parent_and_go_stale() -> None:
    findings = [
        Finding("layer_direction", "rpt_a", "stg_erp__orders", "..."),
        Finding("model_directories", "stg_mkt__spend", "", "..."),
    ]
    exceptions = [
        {"rule": "layer_direction", "model": "rpt_a", "parent": "stg_erp__.*", "why": "w"},
        {"rule": "model_directories", "model": "gone", "why": "w"},
    ]
    open_findings, stale = unexcepted(findings, exceptions)
    assert [f.model for f in open_findings] == ["stg_mkt__spend"]
    assert [e["model"] for e in stale] == ["gone"]


def test_an_exception_without_a_reason_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rules.yml"
    path.write_text("exceptions:\n  - {rule: layer_direction, model: rpt_a, why: ''}\n")
    try:
        load_exceptions(path)
    except ValueError as error:
        assert "lacks ['why']" in str(error)
    else:
        raise AssertionError("an exception without a reason was accepted")


def test_the_project_passes_with_its_listed_exceptions() -> None:
    assert main(["--manifest", str(MANIFEST), "--exceptions", str(EXCEPTIONS)]) == 0
    findings = evaluate(json.loads(MANIFEST.read_text(encoding="utf-8")))
    assert findings, "the project has allowed findings; the check must see them"
