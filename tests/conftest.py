"""Shared fixtures: in-memory synthesis per profile, YAML snapshots, the shared/ reference dir."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import cdk8s

from ros_constructs.app import build_app
from ros_constructs.values import Values, load

ROOT = Path(__file__).resolve().parent.parent
PROFILES_DIR = Path(__file__).parent / "profiles"
PROFILES = ["default", *sorted(p.stem for p in PROFILES_DIR.glob("*.yaml"))]
SHARED = Path(os.environ.get("ROS_SHARED_DIR", ROOT.parent / "shared"))


def profile_values(profile: str) -> Values:
    files = [] if profile == "default" else [PROFILES_DIR / f"{profile}.yaml"]
    return load(files)


def render(values: Values) -> dict[str, list[dict[str, Any]]]:
    """Synthesize every chart in memory: chart id -> its objects, in output order."""
    app = build_app(values)
    return {chart.node.id: cdk8s.Testing.synth(chart) for chart in app.charts}


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


class _ReadableDumper(yaml.SafeDumper):
    """Multi-line strings (nginx.conf, scripts) as literal blocks, so diffs show real lines."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_ReadableDumper.add_representer(str, _represent_str)


class KubernetesYamlSnapshot(SingleFileSnapshotExtension):
    """One readable multi-document YAML file per chart and profile."""

    _write_mode = WriteMode.TEXT
    file_extension = "yaml"

    def serialize(self, data: Any, **kwargs: Any) -> str:
        return yaml.dump_all(data, Dumper=_ReadableDumper, sort_keys=False, default_flow_style=False, width=120)


@pytest.fixture
def snapshot_yaml(snapshot: Any) -> Any:
    return snapshot.use_extension(KubernetesYamlSnapshot)


@pytest.fixture
def shared_dir() -> Path:
    if not (SHARED / "crds").is_dir():
        pytest.skip(f"reference folder {SHARED} is absent (set ROS_SHARED_DIR to point at shared/)")
    return SHARED


def container_env(obj: dict[str, Any], docs: list[dict[str, Any]]) -> dict[str, Any]:
    """The main container's env with ConfigMap keys resolved from ``docs``; Secret refs stay refs."""
    config_maps = {o["metadata"]["name"]: o.get("data", {}) for o in docs if o["kind"] == "ConfigMap"}
    spec = obj["spec"]["jobTemplate"]["spec"] if obj["kind"] == "CronJob" else obj["spec"]
    resolved: dict[str, Any] = {}
    for entry in spec["template"]["spec"]["containers"][0].get("env", []):
        source = entry.get("valueFrom", {})
        if "configMapKeyRef" in source:
            ref = source["configMapKeyRef"]
            resolved[entry["name"]] = config_maps[ref["name"]][ref["key"]]
        else:
            resolved[entry["name"]] = entry.get("value", source)
    return resolved
