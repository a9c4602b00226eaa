"""Shared fixtures: in-memory synthesis per profile, YAML snapshots, the shared/ reference dir."""

from __future__ import annotations

import difflib
import functools
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import cdk8s

from ros_constructs.app import build_app, new_release
from ros_constructs.core.inventory import Inventory
from ros_constructs.core.tree import inventory
from ros_constructs.values import Values, load
from ros_constructs.values.profiles import PROFILES as SIZED

ROOT = Path(__file__).resolve().parent.parent
PROFILES_DIR = Path(__file__).parent / "profiles"
SIZED_PREFIX = "profile-"
"""Snapshot profiles named ``profile-<name>`` are the shipped sized profiles, loaded by the ``profile`` key."""
PROFILES = [
    "default",
    *sorted(p.stem for p in PROFILES_DIR.glob("*.yaml")),
    *(f"{SIZED_PREFIX}{name}" for name in SIZED),
]
SHARED = Path(os.environ.get("ROS_SHARED_DIR", ROOT.parent / "shared"))


ENV = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20", "CDK8S_CHECK_UPGRADE": "false"}


def ros_synth(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """``ros-synth`` in a fresh process, as an operator runs it."""
    return subprocess.run(
        [sys.executable, "-m", "ros_constructs.tools.cli", *args], cwd=cwd, env=ENV, capture_output=True, text=True
    )


def tree(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """One ``ros-synth`` of the defaults per session, for tests that read it or copy it (never write)."""
    out = tmp_path_factory.mktemp("default") / "dist"
    return out, ros_synth("-o", str(out))


@pytest.fixture(scope="session")
def openshift_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """One ``ros-synth --platform openshift`` per session (monitoring on), read-only like :func:`default_run`."""
    out = tmp_path_factory.mktemp("openshift") / "dist"
    return out, ros_synth("-o", str(out), "--platform", "openshift")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def profile_values(profile: str) -> Values:
    if profile.startswith(SIZED_PREFIX):
        return load(sets=[f"profile={profile.removeprefix(SIZED_PREFIX)}"])
    files = [] if profile == "default" else [PROFILES_DIR / f"{profile}.yaml"]
    return load(files)


_NOTES: dict[str, str] = {}
_INVENTORIES: dict[str, Inventory] = {}
_RENDERED: dict[str, dict[str, list[dict[str, Any]]]] = {}


def render(values: Values) -> dict[str, list[dict[str, Any]]]:
    """Synthesize every chart in memory: chart id -> its objects, in output order.

    Equal values are synthesized once per session (the matrix's ``default-kubernetes`` is the
    ``default`` profile, for one); callers that change the objects copy them first.
    """
    key = values.model_dump_json()
    if key not in _RENDERED:
        release = new_release(values)
        app = build_app(release)
        _RENDERED[key] = {chart.node.id: cdk8s.Testing.synth(chart) for chart in app.charts}
        _NOTES[key] = release.notes()
        _INVENTORIES[key] = inventory(app)
    return _RENDERED[key]


def inventory_of(values: Values) -> Inventory:
    """The App inventory synthesizing ``values`` filled (objects, scrape targets, conversations)."""
    render(values)
    return _INVENTORIES[values.model_dump_json()]


def made_of(values: Values) -> list[dict[str, Any]]:
    """What synthesizing ``values`` recorded in the App's inventory (ros-synth counts and sizes it)."""
    return [o.manifest() for o in inventory_of(values).objects]


def notes_of(values: Values) -> str:
    """The NOTES.txt that synthesizing ``values`` writes (from the built tree's reference registry)."""
    key = values.model_dump_json()
    if key not in _NOTES:
        render(values)
    return _NOTES[key]


@functools.cache
def render_profile(profile: str) -> dict[str, list[dict[str, Any]]]:
    return render(profile_values(profile))


def objects(profile: str) -> list[dict[str, Any]]:
    return [obj for docs in render_profile(profile).values() for obj in docs]


def pod_templates(docs: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """(object name, pod template) for every pod-owning object."""
    found = []
    for obj in docs:
        spec = obj.get("spec", {})
        if obj["kind"] == "CronJob":
            found.append((obj["metadata"]["name"], spec["jobTemplate"]["spec"]["template"]))
        elif "template" in spec and obj["kind"] in ("Deployment", "StatefulSet", "Job"):
            found.append((obj["metadata"]["name"], spec["template"]))
    return found


def object_key(obj: dict[str, Any]) -> str:
    """Kind/name; a Job by its component, since its name is a hash of its spec."""
    meta = obj["metadata"]
    name = meta["labels"]["app.kubernetes.io/component"] if obj["kind"] == "Job" else meta["name"]
    return f"{obj['kind']}/{name}"


def _named(items: list[Any]) -> dict[str, Any] | None:
    """A list of uniquely named mappings (containers, env, ports, volumes) keyed by name, else None."""
    names = [i.get("name") if isinstance(i, dict) else None for i in items]
    if items and all(isinstance(n, str) for n in names) and len(set(names)) == len(names):
        return dict(zip(names, items, strict=True))  # type: ignore[arg-type]
    return None


_DIGEST = re.compile(r"[0-9a-f]{64}")


def _diff(path: str, base: Any, other: Any, out: dict[str, Any], old: str = "default") -> None:
    """Leaf-level differences: ``path: {default: ..., profile: ...}`` (absent sides left out; ``old``
    names the first side); multi-line text as ``path: {diff: ...}``; a changed 64-hex digest as
    ``path: <new digest>``; an item added to a named list says ``before:`` which item follows it,
    unless it is the last."""
    if base == other:
        return
    if isinstance(base, dict) and isinstance(other, dict):
        for key in [*base, *(k for k in other if k not in base)]:
            _diff(f"{path}.{key}" if path else str(key), base.get(key, _ABSENT), other.get(key, _ABSENT), out, old)
        return
    if isinstance(base, list) and isinstance(other, list):
        base_named, other_named = _named(base), _named(other)
        if base_named is not None and other_named is not None:
            order = list(other_named)
            for key in [*base_named, *(k for k in other_named if k not in base_named)]:
                item = f"{path}[{key}]"
                _diff(item, base_named.get(key, _ABSENT), other_named.get(key, _ABSENT), out, old)
                if key not in base_named and key != order[-1]:
                    out[item] = {"before": order[order.index(key) + 1], **out[item]}
            return
    if isinstance(base, str) and isinstance(other, str) and "\n" in base + other:
        out[path] = {"diff": _text_diff(base, other)}
        return
    if isinstance(base, list) and isinstance(other, list) and any(isinstance(i, dict) for i in base + other):
        # Unnamed items (network policy rules): the YAML of both lists as their unified diff.
        out[path] = {"diff": _text_diff(to_yaml(base), to_yaml(other))}
        return
    if isinstance(base, str) and isinstance(other, str) and _DIGEST.fullmatch(base) and _DIGEST.fullmatch(other):
        out[path] = other  # a checksum: the old one tells a reviewer nothing
        return
    out[path] = {k: v for k, v in ((old, base), ("profile", other)) if v is not _ABSENT}


def _text_diff(base: str, other: str) -> str:
    """A changed multi-line value (a config file, a dashboard) as its unified diff, two lines of context."""
    lines = difflib.unified_diff(base.splitlines(), other.splitlines(), lineterm="", n=2)
    return "\n".join(list(lines)[2:]) + "\n"  # without the ---/+++ file header


_ABSENT = object()
OWN_NAME = "<name>"
"""Stands for each object's own name in the paths of changes that several objects share."""


def to_yaml(*docs: Any) -> str:
    return yaml.dump_all(docs, Dumper=_ReadableDumper, sort_keys=False, default_flow_style=False, width=120)


def _lines(data: Any) -> int:
    return len(to_yaml(data).splitlines())


def _least_lines(data: Any) -> int:
    """A lower bound of :func:`_lines`: a line for each scalar and each line of multi-line text."""
    if isinstance(data, dict | list):
        return sum(_least_lines(v) for v in (data.values() if isinstance(data, dict) else data))
    return 1 + data.count("\n") if isinstance(data, str) else 1


def renamed(path: str, change: Any, name: str, to: str) -> tuple[str, Any]:
    """A change with the list item ``[name]`` in its path and its ``before:`` read as ``to``."""
    if isinstance(change, dict) and change.get("before") == name:
        change = {**change, "before": to}
    return path.replace(f"[{name}]", f"[{to}]"), change


def _replaced(data: Any, names: tuple[str, str], component: tuple[str, str]) -> Any:
    """``data`` with ``names[0]`` in any string, and any string that is ``component[0]``, replaced."""
    if isinstance(data, dict):
        return {k: _replaced(v, names, component) for k, v in data.items()}
    if isinstance(data, list):
        return [_replaced(v, names, component) for v in data]
    if data == component[0]:
        return component[1]
    return data.replace(*names) if isinstance(data, str) else data


def as_named(like_key: str, like: dict[str, Any], key: str) -> dict[str, Any]:
    """``like`` read as the object ``key``: its name (from ``like_key``) in every string and its
    component (``app.kubernetes.io/component``, part of its name) as every whole string, replaced
    by ``key``'s, so that ``Service/cost-onprem-masu`` reads as ``Service/cost-onprem-listener``."""
    component = like["metadata"]["labels"]["app.kubernetes.io/component"]
    like_name, name = like_key.partition("/")[2], key.partition("/")[2]
    prefix, found, suffix = like_name.partition(component)
    if not found or not name.startswith(prefix) or not name.endswith(suffix) or len(name) <= len(prefix + suffix):
        return like
    new_component = name[len(prefix) : len(name) - len(suffix)]
    renamed_like: dict[str, Any] = _replaced(like, (like_name, name), (component, new_component))
    return renamed_like


def _like(key: str, obj: dict[str, Any], candidates: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """``{key: {like: <Kind/name>, <path>: ...}}``: the added object as its :func:`_diff` (``like:``
    naming the candidate's side) against the candidate of its kind, read under ``key``'s name, that
    gives the fewest lines, if that is at most half the object's lines; else the object in full."""
    best, most = obj, _lines(obj) // 2
    for like_key, like in candidates:
        if like["kind"] == obj["kind"]:
            found: dict[str, Any] = {}
            _diff("", as_named(like_key, like, key), obj, found, old="like")
            entry = {key: {"like": like_key, **found}}
            if 1 + _least_lines(entry) <= most and (lines := _lines(entry)) <= most:  # dump only what may win
                best, most = entry, lines - 1
    return best


def _alike(changed: dict[str, dict[str, Any]], names: dict[str, str]) -> tuple[dict[str, Any], list[Any]]:
    """Split the changes into those that several objects share (own names as :data:`OWN_NAME`),
    listed once with the objects when that is shorter than repeating them, and the rest per object."""
    holders: dict[str, list[str]] = {}
    shared: dict[tuple[str, ...], dict[str, Any]] = {}
    for key, found in changed.items():
        for path, change in found.items():
            holders.setdefault(json.dumps(renamed(path, change, names[key], OWN_NAME)), []).append(key)
    for item, keys in holders.items():
        path, change = json.loads(item)
        shared.setdefault(tuple(keys), {})[path] = change
    groups = {
        keys: changes
        for keys, changes in shared.items()
        if len(keys) > 1 and 2 + len(keys) + _lines(changes) < len(keys) * _lines(changes)
    }
    own: dict[str, Any] = {}
    for key, found in changed.items():
        for path, change in found.items():
            if tuple(holders[json.dumps(renamed(path, change, names[key], OWN_NAME))]) not in groups:
                own.setdefault(key, {})[path] = change
    return own, [{"objects": list(keys), "changes": changes} for keys, changes in sorted(groups.items())]


def profile_diff(base: list[dict[str, Any]], other: list[dict[str, Any]]) -> dict[str, Any]:
    """What a profile changes against a base output (default or openshift), with nothing lost
    (test_profile_diff rebuilds every profile from its snapshot):

    - ``added``: each new object in full, or as ``<Kind/name>: {like: <Kind/name>, ...}``, the
      object of its kind it is nearest to (in this output, removed from it, or added above it), read
      under this one's name (:func:`as_named`), plus its :func:`_diff` with ``like:`` for that
      object's side, when that takes at most half the lines;
    - ``removed``: the Kind/names gone;
    - ``changed``: Kind/name -> its :func:`_diff` against the base;
    - ``changed alike``: changes that several objects share, once, under the list of those
      objects (``[<name>]`` in a path stands for each one's own name).
    """
    base_by, other_by = {object_key(o): o for o in base}, {object_key(o): o for o in other}
    changed: dict[str, Any] = {}
    for key in sorted(base_by.keys() & other_by.keys()):
        found: dict[str, Any] = {}
        _diff("", base_by[key], other_by[key], found)
        if found:
            changed[key] = found
    own, alike = _alike(changed, {key: base_by[key]["metadata"]["name"] for key in changed})
    candidates = [
        *((k, o) for k, o in other_by.items() if k in base_by),
        *((k, o) for k, o in base_by.items() if k not in other_by),
    ]
    added = []
    for key, obj in other_by.items():
        if key not in base_by:
            added.append(_like(key, obj, candidates))
            candidates.append((key, obj))
    removed = sorted(k for k in base_by if k not in other_by)
    return {"added": added, "removed": removed, "changed": own, **({"changed alike": alike} if alike else {})}


class _ReadableDumper(yaml.SafeDumper):
    """Multi-line strings (nginx.conf, scripts) as literal blocks, so diffs show real lines; a value
    met twice written twice, never as an anchor and alias."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_ReadableDumper.add_representer(str, _represent_str)


class KubernetesYamlSnapshot(SingleFileSnapshotExtension):
    """One readable multi-document YAML file per chart and profile: the default output in full,
    every other profile as its :func:`profile_diff` against the default."""

    _write_mode = WriteMode.TEXT
    file_extension = "yaml"

    def serialize(self, data: Any, **kwargs: Any) -> str:
        return to_yaml(*data)


@pytest.fixture
def snapshot_yaml(snapshot: Any) -> Any:
    return snapshot.use_extension(KubernetesYamlSnapshot)


@pytest.fixture
def shared_dir() -> Path:
    if not (SHARED / "crds").is_dir():
        pytest.skip(f"reference folder {SHARED} is absent (set ROS_SHARED_DIR to point at shared/)")
    return SHARED


def container_env(obj: dict[str, Any], docs: list[dict[str, Any]]) -> dict[str, Any]:
    """The main container's env as Kubernetes resolves it (envFrom ConfigMaps, then env, which wins)
    with ConfigMap keys resolved from ``docs``; Secret refs and refs to ConfigMaps an operator makes
    (an ODF bucket claim's) stay refs."""
    config_maps = {o["metadata"]["name"]: o.get("data", {}) for o in docs if o["kind"] == "ConfigMap"}
    spec = obj["spec"]["jobTemplate"]["spec"] if obj["kind"] == "CronJob" else obj["spec"]
    container = spec["template"]["spec"]["containers"][0]
    resolved: dict[str, Any] = {}
    for source in container.get("envFrom", []):
        resolved.update(config_maps[source["configMapRef"]["name"]])
    for entry in container.get("env", []):
        source = entry.get("valueFrom", {})
        if "configMapKeyRef" in source and source["configMapKeyRef"]["name"] in config_maps:
            ref = source["configMapKeyRef"]
            resolved[entry["name"]] = config_maps[ref["name"]][ref["key"]]
        else:
            resolved[entry["name"]] = entry.get("value", source)
    return resolved
