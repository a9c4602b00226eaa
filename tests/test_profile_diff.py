"""The profile snapshots lose nothing: each stored :func:`conftest.profile_diff`, applied to its base
output, rebuilds the profile's output (every object equal as data; mapping key order and the order
of objects within a chart are not recorded)."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import OWN_NAME, PROFILES, as_named, object_key, profile_diff, renamed, render_profile, to_yaml

from ros_constructs.app import chart_ids

SNAPSHOTS = Path(__file__).parent / "__snapshots__" / "test_manifests"
_HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? ")
_ABSENT = object()


def _patched(text: str, diff: str) -> str:
    """``text`` with a unified diff (without file header) applied."""
    source, out, at = text.splitlines(), [], 0
    for line in diff.splitlines():
        if hunk := _HUNK.match(line):
            start = int(hunk[1]) - (hunk[2] != "0")  # an empty range names the line before it
            out += source[at:start]
            at = start
        elif line.startswith("+"):
            out.append(line[1:])
        else:  # context or removed
            out += [source[at]] if not line.startswith("-") else []
            at += 1
    return "\n".join(out + source[at:]) + ("\n" if text.endswith("\n") else "")


def _new(old: Any, change: Any) -> Any:
    if isinstance(change, str):  # a changed digest
        return change
    if "diff" in change and isinstance(old, str):
        return _patched(old, change["diff"])
    if "diff" in change:  # a list of unnamed items, as the diff of its YAML
        return yaml.safe_load(_patched(to_yaml(old), change["diff"]))
    return change.get("profile", _ABSENT)


def _step(node: Any, path: str) -> tuple[str, str]:
    """The first key of ``path`` in ``node`` and the rest (a dict key may hold dots: the longest
    existing key wins; a key the base lacks is the whole rest)."""
    if path.startswith("["):
        key, _, rest = path[1:].partition("]")
        return key, rest.removeprefix(".")
    for key in sorted(node, key=len, reverse=True):
        if path == key or path.startswith((f"{key}.", f"{key}[")):
            return key, path[len(key) :].removeprefix(".")
    return path, ""


def _apply_change(node: Any, path: str, change: Any) -> bool:
    """Apply one change; False if it adds a list item before one not added yet."""
    key, rest = _step(node, path)
    if isinstance(node, list):
        at = next((i for i, item in enumerate(node) if item["name"] == key), None)
        if at is not None and rest:
            return _apply_change(node[at], rest, change)
        new = _new(node[at] if at is not None else _ABSENT, change)
        if at is None:
            before = change.get("before") if isinstance(change, dict) else None
            places = [i for i, item in enumerate(node) if item["name"] == before] if before else [len(node)]
            if not places:
                return False
            node.insert(places[0], new)
        elif new is _ABSENT:
            del node[at]
        else:
            node[at] = new
        return True
    if rest:
        return _apply_change(node[key], rest, change)
    if (new := _new(node.get(key, _ABSENT), change)) is _ABSENT:
        del node[key]
    else:
        node[key] = new
    return True


def _apply_all(obj: dict[str, Any], changes: list[tuple[str, Any]]) -> None:
    while changes:
        left = [(path, change) for path, change in changes if not _apply_change(obj, path, change)]
        assert len(left) < len(changes), f"items placed before items that never come: {left}"
        changes = left


def apply_diff(base: list[dict[str, Any]], diff: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Kind/name -> object: ``base`` with a :func:`conftest.profile_diff` applied."""
    objects = {object_key(o): copy.deepcopy(o) for o in base}
    names = {key: obj["metadata"]["name"] for key, obj in objects.items()}
    gone = {key: objects.pop(key) for key in diff["removed"]}
    changes = {key: list(found.items()) for key, found in diff["changed"].items()}
    for group in diff.get("changed alike", []):
        for key in group["objects"]:
            own = [renamed(path, change, OWN_NAME, names[key]) for path, change in group["changes"].items()]
            changes.setdefault(key, []).extend(own)
    for key, found in changes.items():
        _apply_all(objects[key], found)
    for entry in diff["added"]:
        if "kind" in entry:
            objects[object_key(entry)] = entry
            continue
        ((key, found),) = entry.items()
        like = found["like"]
        obj = objects[key] = copy.deepcopy(as_named(like, objects.get(like) or gone[like], key))
        _apply_all(obj, [(path, change) for path, change in found.items() if path != "like"])
    return objects


@pytest.mark.parametrize("chart", chart_ids())
@pytest.mark.parametrize("profile", [p for p in PROFILES if p != "default"])
def test_a_stored_snapshot_rebuilds_its_profile(profile: str, chart: str) -> None:
    stored = yaml.safe_load((SNAPSHOTS / f"test_snapshot[{profile}-{chart}].yaml").read_text())
    base = stored.pop("base", "default")
    assert apply_diff(render_profile(base)[chart], stored) == {object_key(o): o for o in render_profile(profile)[chart]}


def test_a_profile_diff_writes_shared_changes_once_and_new_objects_by_likeness() -> None:
    def deployment(name: str, env: list[str], digest: str = "0" * 64) -> dict[str, Any]:
        containers = [{"name": name, "env": [{"name": e, "value": e.lower()} for e in env]}]
        template = {"metadata": {"annotations": {"checksum": digest}}, "spec": {"containers": containers}}
        labels = {"app.kubernetes.io/component": name}
        return {"kind": "Deployment", "metadata": {"name": name, "labels": labels}, "spec": {"template": template}}

    base = [deployment("one", ["A", "B"]), deployment("two", ["A", "B"])]
    other = [
        deployment("one", ["A", "X", "B"], "1" * 64),
        deployment("two", ["A", "X", "B"]),
        deployment("three", ["A", "X", "B", "C"]),
    ]
    diff = profile_diff(base, other)
    added_c = {"spec.template.spec.containers[three].env[C]": {"profile": {"name": "C", "value": "c"}}}
    added_x = {"spec.template.spec.containers[<name>].env[X]": {"before": "B", "profile": {"name": "X", "value": "x"}}}
    assert diff == {
        "added": [{"Deployment/three": {"like": "Deployment/two", **added_c}}],
        "removed": [],
        "changed": {"Deployment/one": {"spec.template.metadata.annotations.checksum": "1" * 64}},
        "changed alike": [{"objects": ["Deployment/one", "Deployment/two"], "changes": added_x}],
    }
    assert apply_diff(base, diff) == {object_key(o): o for o in other}
