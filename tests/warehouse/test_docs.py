"""Every mart and every mart column is documented, and `tandem docs` builds the dbt site."""

from __future__ import annotations

import json

from orchestration.commands.docs import target_dir
from tests.conftest import run_tandem
from tests.warehouse.conftest import TinyWarehouse

MART_PREFIX = ("tandem", "marts")


def _marts(manifest: dict) -> dict[str, dict]:
    return {
        node_id: node
        for node_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and tuple(node["fqn"][:2]) == MART_PREFIX
    }


def test_docs_site_documents_every_mart_column(tiny_warehouse: TinyWarehouse) -> None:
    completed = run_tandem("docs", env=tiny_warehouse.env)
    assert completed.returncode == 0, completed.stderr[-3000:]
    target = target_dir(tiny_warehouse.settings)
    page = target / "static_index.html"
    assert completed.stdout.strip() == f"dbt docs: {page}"
    assert page.stat().st_size > 100_000  # the site with manifest and catalog inlined

    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    marts = _marts(manifest)
    assert "model.tandem.rpt_revenue_monthly" in marts

    undocumented = []
    for node_id, node in marts.items():
        if not node["description"].strip():
            undocumented.append(f"{node['name']}: no model description")
        built = catalog["nodes"].get(node_id)
        assert built is not None, f"{node['name']} is missing from the built warehouse"
        declared = {name.lower(): col for name, col in node["columns"].items()}
        for column in built["columns"]:
            doc = declared.get(column.lower(), {}).get("description", "").strip()
            if not doc:
                undocumented.append(f"{node['name']}.{column}")
    assert undocumented == []

    # the site embeds the descriptions analysts read
    html = page.read_text(encoding="utf-8")
    for node in marts.values():
        assert node["name"] in html


def test_docs_without_a_warehouse_says_what_to_do(tandem_home) -> None:
    completed = run_tandem("docs")
    assert completed.returncode == 1
    assert "run `tandem run` (or `make demo`) first" in completed.stderr
