"""The prose cannot rot: keys the guides name exist, links resolve, values snippets validate."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from ros_constructs.values import ValuesError, defaults, parse

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
QUICKSTART = DOCS / "quickstart.md"
MIGRATION = DOCS / "migration.md"
SCHEMA: dict[str, Any] = json.loads((ROOT / "values.schema.json").read_text())
TOP_LEVEL = set(SCHEMA["properties"])

BACKTICKED = re.compile(r"`([^`\n]+)`")
# A values path: camelCase segments, a <placeholder> for any key of a map, or a trailing * for "every key below".
VALUES_PATH = re.compile(r"^[a-z][A-Za-z0-9]*(\.([A-Za-z0-9_]+|<[a-z]+>|\*))*$")
SET_FLAG = re.compile(r"--set\s+([^=\s]+)=")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _deref(node: dict[str, Any]) -> dict[str, Any]:
    """Follow ``$ref`` and collapse ``anyOf``/``allOf`` (optional models) to their object branch."""
    while True:
        if "$ref" in node:
            node = SCHEMA["$defs"][node["$ref"].rsplit("/", 1)[1]]
        elif "anyOf" in node or "allOf" in node:
            objects = [b for b in node.get("anyOf", node.get("allOf", [])) if b.get("type") != "null"]
            node = objects[0]
        else:
            return node


def schema_has(path: str) -> bool:
    """Whether ``path`` names a value of the schema.

    Keys of a free-form map (worker pools, annotations) are checked against the keys the
    defaults hold there when it has any, so ``pools.ocp_xl`` passes and ``pools.ocp-xl`` fails.
    """
    node = SCHEMA
    default: Any = defaults()
    for segment in path.split("."):
        if segment == "*":
            return "properties" in node or "additionalProperties" in node
        properties = node.get("properties", {})
        if segment in properties:
            node = _deref(properties[segment])
            default = default.get(segment) if isinstance(default, dict) else None
            continue
        extra = node.get("additionalProperties")
        if not isinstance(extra, dict):
            return False
        known = default if isinstance(default, dict) else {}
        if not segment.startswith("<") and known and segment not in known:
            return False
        node = _deref(extra)
        default = known.get(segment)
    return True


def values_key(token: str) -> str | None:
    """The values path a backticked token names (``a.b``, ``a.b: v``, ``a.b=v``), else None."""
    key = re.split(r": |=", token, maxsplit=1)[0].strip()
    if not VALUES_PATH.match(key):
        return None
    if "." not in key and key not in TOP_LEVEL:
        return None
    return key


def table_column(text: str, header: str) -> Iterator[str]:
    """Every cell under the column titled ``header``, across all tables of ``text``."""
    column: int | None = None
    for line in text.splitlines():
        if not line.startswith("|"):
            column = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if column is None:
            column = cells.index(header) if header in cells else -1
        elif column >= 0 and not set(line) <= set("|-: "):
            yield cells[column]


def migration_keys() -> list[str]:
    """Values keys in the "here" column of the migration guide's tables."""
    keys = []
    for cell in table_column(MIGRATION.read_text(), "here"):
        keys += [k for t in BACKTICKED.findall(cell) if (k := values_key(t))]
    return keys


def prose(text: str) -> str:
    return FENCE.sub("", text)


def quickstart_keys() -> list[str]:
    """Values keys in the quick start: backticked in prose and given to ``--set``."""
    text = QUICKSTART.read_text()
    keys = [k for t in BACKTICKED.findall(prose(text)) if (k := values_key(t)) and k.split(".")[0] in TOP_LEVEL]
    keys += [m for body in (b for _, b in FENCE.findall(text)) for m in SET_FLAG.findall(body)]
    return keys


def values_snippets() -> list[str]:
    """YAML blocks of the quick start that are values files (not Kubernetes or kind objects)."""
    snippets = []
    for lang, body in FENCE.findall(QUICKSTART.read_text()):
        if lang == "yaml" and not {"kind", "apiVersion"} & set(yaml.safe_load(body) or {}):
            snippets.append(body)
    return snippets


def test_schema_lookup_accepts_real_keys_and_rejects_typos() -> None:
    assert schema_has("costManagement.workers.pools.ocp_xl.replicas")
    assert schema_has("edge.exposure.annotations.<name>")
    assert schema_has("costManagement.logging.*")
    assert not schema_has("costManagement.workers.pools.ocp-xl")
    assert not schema_has("costManagement.api.mdoe")
    assert values_key("edge.exposure.type: route") == "edge.exposure.type"
    assert values_key("<release>-api-reads") is None


@pytest.mark.parametrize(("doc", "keys"), [("migration.md", migration_keys), ("quickstart.md", quickstart_keys)])
def test_every_named_values_key_exists(doc: str, keys: Any) -> None:
    named = keys()
    assert named, f"no values keys found in {doc}: the extraction is broken"
    missing = sorted({k for k in named if not schema_has(k)})
    assert not missing, f"{doc} names keys values.schema.json lacks: {missing}"


def test_quickstart_values_snippets_validate() -> None:
    snippets = values_snippets()
    assert snippets, "the quick start shows no values file"
    for body in snippets:
        try:
            parse(yaml.safe_load(body))
        except ValuesError as err:
            pytest.fail(f"quick start values snippet is invalid:\n{body}\n{err}")


@pytest.mark.parametrize("doc", [ROOT / "README.md", *sorted(DOCS.glob("*.md"))], ids=lambda p: p.name)
def test_relative_links_resolve(doc: Path) -> None:
    broken = []
    for target in LINK.findall(doc.read_text()):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        if not (doc.parent / target.split("#", 1)[0]).exists():
            broken.append(target)
    assert not broken, f"{doc.name} links to missing files: {broken}"


def test_readme_links_the_quickstart_and_migration_guide() -> None:
    links = LINK.findall((ROOT / "README.md").read_text())
    assert "docs/quickstart.md" in links
    assert "docs/migration.md" in links
