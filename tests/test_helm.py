"""``ros-synth --format helm``: a chart whose only template actions print our own text, so Helm
renders exactly the objects of the YAML output."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ros_synth, tree
from hypothesis import given
from hypothesis import strategies as st

from ros_constructs.tools.helm import ESCAPE_FORM, escape, unescape
from ros_constructs.tools.kustomize import KUSTOMIZATION
from ros_constructs.tools.output import MANIFEST

HELM_SEPARATOR = re.compile(r"(?:^|\s*\n)---\s*")
"""How Helm splits a rendered template into manifests (releaseutil.SplitManifests), each then
trimmed and printed with one newline: a block scalar ending a document keeps one line break."""
STRING_ACTION = re.compile(r'^\{\{ ("(?:[^"\\]|\\.)*") \}\}$')


def go_template_parts(template: str) -> tuple[list[str], list[str]]:
    """Literal text and actions, as Go's text/template lexer splits them: an action runs from
    ``{{`` to the first ``}}`` outside a quoted string, raw string or character constant."""
    texts, actions, pos = [], [], 0
    while (start := template.find("{{", pos)) != -1:
        texts.append(template[pos:start])
        i = start + 2
        while not template.startswith("}}", i):
            if i >= len(template):
                raise AssertionError(f"unclosed action at {start}: {template[start : start + 40]!r}")
            if template[i] in "\"'`":
                quote, i = template[i], i + 1
                while template[i] != quote:
                    i += 2 if template[i] == "\\" and quote != "`" else 1
            i += 1
        actions.append(template[start : i + 2])
        pos = i + 2
    texts.append(template[pos:])
    return texts, actions


def render(template: str) -> str:
    """What Helm prints for a template whose actions all print one string literal."""
    texts, actions = go_template_parts(template)
    printed = []
    for action in actions:
        match = STRING_ACTION.match(action)
        assert match, f"not a string-printing action: {action!r}"
        printed.append(json.loads(match.group(1)))
    return "".join(t + p for t, p in zip(texts, [*printed, ""], strict=True))


def helm_manifests(rendered: str) -> list[Any]:
    return [yaml.safe_load(doc.strip() + "\n") for doc in HELM_SEPARATOR.split(rendered) if doc.strip()]


@pytest.fixture(scope="module")
def outputs(
    tmp_path_factory: pytest.TempPathFactory, openshift_run: tuple[Path, subprocess.CompletedProcess[str]]
) -> tuple[Path, Path]:
    """The OpenShift default (monitoring on: rule annotations and dashboards hold ``{{ }}``) as
    YAML and as a chart."""
    chart = tmp_path_factory.mktemp("helm") / "chart"
    result = ros_synth("--platform", "openshift", "-o", str(chart), "--format", "helm")
    assert result.returncode == 0 and openshift_run[1].returncode == 0, result.stderr
    return openshift_run[0], chart


def test_the_chart_holds_every_chart_file_and_the_notes_as_templates(outputs: tuple[Path, Path]) -> None:
    plain, chart = outputs
    templates = [f"templates/{name}" for name in tree(plain) if name not in (KUSTOMIZATION, MANIFEST)]
    assert sorted(tree(chart)) == sorted([MANIFEST, "Chart.yaml", "values.yaml", *templates])
    meta = yaml.safe_load((chart / "Chart.yaml").read_text())
    assert meta["apiVersion"] == "v2" and meta["name"] == "cost-onprem" and meta["type"] == "application"
    assert meta["version"] == version("ros-constructs")
    assert meta["appVersion"] == "d8055ac"  # the Koku image's tag
    values = (chart / "values.yaml").read_text()
    assert yaml.safe_load(values) == {} and "rerun ros-synth --format helm" in values


def test_the_only_actions_print_the_delimiters_and_render_our_output_byte_for_byte(
    outputs: tuple[Path, Path],
) -> None:
    plain, chart = outputs
    escaped = 0
    for path in sorted(p for p in plain.iterdir() if p.name not in (KUSTOMIZATION, MANIFEST)):
        template = (chart / "templates" / path.name).read_text()
        texts, actions = go_template_parts(template)
        assert all(ESCAPE_FORM.fullmatch(action) for action in actions), path.name
        assert not any("{{" in t for t in texts)
        escaped += len(actions)
        assert render(template) == path.read_text(), path.name
        if path.name.endswith(".k8s.yaml"):
            assert helm_manifests(render(template)) == [d for d in yaml.safe_load_all(path.read_text()) if d]
    assert escaped > 20  # PrometheusRule annotations and the dashboard's legends


@given(st.text(alphabet='{}"` x$.\n\\', max_size=40))
def test_escaping_round_trips_any_text(text: str) -> None:
    assert render(escape(text)) == text
    assert unescape(escape(text)) == text


def test_invalid_values_exit_2_and_write_no_chart(tmp_path: Path) -> None:
    result = ros_synth("--format", "helm", "--set", "platform=gke", "-o", str(tmp_path / "chart"))
    assert result.returncode == 2 and "platform: 'gke'" in result.stderr
    assert list(tmp_path.iterdir()) == []


def _key(obj: dict[str, Any]) -> tuple[str, str, str]:
    return obj["kind"], obj["metadata"].get("namespace", ""), obj["metadata"]["name"]


def test_helm_template_renders_our_objects(outputs: tuple[Path, Path]) -> None:
    helm = shutil.which("helm")
    if helm is None:
        pytest.skip("helm is not on PATH (no Debian 12, PyPI or npm package ships it)")
    plain, chart = outputs
    rendered = subprocess.run([helm, "template", "cost-onprem", str(chart)], capture_output=True, text=True)
    assert rendered.returncode == 0, rendered.stderr
    ours = [d for f in sorted(plain.glob("*.k8s.yaml")) for d in yaml.safe_load_all(f.read_text()) if d]
    theirs = [d for d in yaml.safe_load_all(rendered.stdout) if d]
    # Helm prints in its own install order (by kind); the objects are the same.
    assert sorted(theirs, key=_key) == sorted(ours, key=_key)
