"""How objects cross into cdk8s: rendered whole in Python, yet an ordinary ``ApiObject`` to cdk8s.

An object made from its manifest's text must synthesize to what cdk8s renders from the same
metadata and body given as props and a JSON patch, in a chart of this library and in a chart of
the caller's own, and changes made through cdk8s's API must reach the output.
"""

from __future__ import annotations

import base64
import json
import tarfile
from pathlib import Path
from typing import Any

import cdk8s
import constructs
import pytest
from cdk8s import Testing as Cdk8sTesting
from conftest import render

from ros_constructs.app import add_stack, new_release
from ros_constructs.core.emit import api_object
from ros_constructs.core.kinds import CONFIG_MAP
from ros_constructs.core.tree import Part, ReleaseChart, inventory, release_chart
from ros_constructs.values import load

BODY = {"data": {"b": "2", "a": "1"}, "immutable": None}
LABELS = {"app.kubernetes.io/name": "demo"}


def config_map(scope: constructs.Construct, **kwargs: Any) -> cdk8s.ApiObject:
    return api_object(scope, "Config", kind=CONFIG_MAP, name="demo", labels=LABELS, body=BODY, **kwargs)


def by_cdk8s(**metadata: Any) -> str:
    """What cdk8s renders for the same object from its own props and a JSON patch, as JSON text
    (key order is part of the output)."""
    chart = cdk8s.Chart(Cdk8sTesting.app(), "plain", namespace="ns")
    obj = cdk8s.ApiObject(
        chart, "Config", api_version="v1", kind="ConfigMap", metadata=cdk8s.ApiObjectMetadata(**metadata)
    )
    obj.add_json_patch(cdk8s.JsonPatch.add("/data", {"a": "1", "b": "2"}))
    [document] = Cdk8sTesting.synth(chart)
    return json.dumps(document)


@pytest.fixture
def chart() -> ReleaseChart:
    return ReleaseChart(Cdk8sTesting.app(), "ours", namespace="ns")


def test_the_handed_over_document_is_what_cdk8s_renders(chart: ReleaseChart) -> None:
    obj = config_map(Part(chart, "Holder"), annotations={"note": "x"})
    [document] = Cdk8sTesting.synth(chart)
    assert json.dumps(document) == by_cdk8s(name="demo", labels=LABELS, annotations={"note": "x"})
    assert (obj.name, obj.kind) == ("demo", "ConfigMap")


def test_a_chart_of_the_callers_own_gets_the_same_object_from_cdk8s() -> None:
    app = Cdk8sTesting.app()
    plain = cdk8s.Chart(app, "plain", namespace="ns")
    config_map(plain)
    assert release_chart(plain) is None
    assert inventory(plain) is inventory(app) and [o.name for o in inventory(app).objects] == ["demo"]
    [document] = Cdk8sTesting.synth(plain)
    assert json.dumps(document) == by_cdk8s(name="demo", labels=LABELS)


def test_cluster_scoped_objects_have_no_namespace_in_either_chart(chart: ReleaseChart) -> None:
    plain = cdk8s.Chart(Cdk8sTesting.app(), "plain", namespace="ns")
    for scope in (chart, plain):
        config_map(scope, cluster_scoped=True)
        [document] = Cdk8sTesting.synth(scope)
        assert "namespace" not in document["metadata"]


def test_labels_and_patches_added_through_cdk8s_reach_the_output(chart: ReleaseChart) -> None:
    labelled, patched = config_map(Part(chart, "A")), config_map(Part(chart, "B"))
    cdk8s.ApiObject.of(labelled).metadata.add_label("team", "cost")
    patched.add_json_patch(cdk8s.JsonPatch.add("/data/c", "3"))
    first, second = Cdk8sTesting.synth(chart)
    assert first["metadata"]["labels"] == {**LABELS, "team": "cost"}
    assert first["data"] == {"a": "1", "b": "2"}
    assert second["data"] == {"a": "1", "b": "2", "c": "3"}


def test_every_object_is_in_the_inventory_with_its_body(chart: ReleaseChart) -> None:
    config_map(Part(chart, "Holder"))
    [emitted] = inventory(chart).objects
    assert emitted.manifest() == {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "demo"},
        "data": {"a": "1", "b": "2"},
    }


def test_the_committed_binding_was_compiled_from_typescript_index_ts() -> None:
    """``make imports`` compiles typescript/index.ts into imports/manifest; the compiled JavaScript
    carries its TypeScript source in its source map."""
    root = Path(__file__).resolve().parent.parent
    [bundle] = (root / "imports" / "manifest" / "_jsii").glob("*.jsii.tgz")
    with tarfile.open(bundle) as tar:
        compiled = tar.extractfile("package/index.js")
        assert compiled is not None
        source_map = compiled.read().decode().rpartition("base64,")[2]
    [source] = json.loads(base64.b64decode(source_map))["sourcesContent"]
    assert source == (root / "typescript" / "index.ts").read_text(), "stale: run make imports"


def test_the_stack_in_an_app_made_by_node_synthesizes_as_in_our_own() -> None:
    """``Testing.app()`` returns an App made in Node, which jsii hands back as a new proxy each
    time; the charts still share one inventory, so the edge's policies follow the tiers."""
    ours = list(render(load()).values())
    theirs = [Cdk8sTesting.synth(chart) for chart in add_stack(Cdk8sTesting.app(), new_release(load()))]
    assert theirs == ours
