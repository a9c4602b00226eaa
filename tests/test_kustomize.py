"""dist/kustomization.yaml: it lists the chart files in apply order, and kustomize renders exactly
the objects of those files (with kubectl on PATH)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from ros_constructs.app import chart_ids
from ros_constructs.tools.kustomize import KUSTOMIZATION
from ros_constructs.tools.sizing import read_objects


@pytest.fixture
def out(openshift_run: tuple[Path, subprocess.CompletedProcess[str]]) -> Path:
    directory, result = openshift_run
    assert result.returncode == 0, result.stderr
    return directory


def test_the_kustomization_lists_the_chart_files_in_apply_order(out: Path) -> None:
    kustomization = yaml.safe_load((out / KUSTOMIZATION).read_text())
    assert kustomization["apiVersion"] == "kustomize.config.k8s.io/v1beta1"
    assert kustomization["kind"] == "Kustomization"
    assert kustomization["resources"] == [f"{chart}.k8s.yaml" for chart in chart_ids()]
    assert sorted(kustomization["resources"]) == sorted(p.name for p in out.glob("*.k8s.yaml"))


def by_identity(objects: list[dict[str, Any]]) -> dict[tuple[str, str, str, str], dict[str, Any]]:
    found = {}
    for obj in objects:
        meta = obj["metadata"]
        found[obj["apiVersion"], obj["kind"], meta.get("namespace", ""), meta["name"]] = obj
    assert len(found) == len(objects), "two objects share apiVersion, kind, namespace and name"
    return found


@pytest.mark.skipif(
    shutil.which("kubectl") is None, reason="kubectl not installed (Debian: apt-get install kubernetes-client)"
)
def test_kubectl_kustomize_renders_the_same_objects(out: Path) -> None:
    result = subprocess.run(["kubectl", "kustomize", str(out)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    rendered = [o for o in yaml.safe_load_all(result.stdout) if o]
    assert by_identity(rendered) == by_identity(read_objects(out))
