"""The uniform component block: every values block that owns pods reaches them (labels,
annotations, image, extra env, scheduling over the release-wide default), the output stays
strictly valid, and wrong settings are values errors naming the field."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from conftest import pod_templates, render
from test_gate import invariant_problems

from ros_constructs.values import Values, ValuesError, components, parse

BLOCK_LABEL = "test.example/block"
TOLERATION = {"key": "dedicated", "operator": "Equal", "value": "cost", "effect": "NoSchedule"}
AFFINITY = {
    "nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchExpressions": [{"key": "disk", "operator": "In", "values": ["ssd"]}]}]
        }
    }
}
RELEASE_WIDE = {
    "nodeSelector": {"node-role.example/cost": ""},
    "tolerations": [TOLERATION],
    "affinity": AFFINITY,
    "priorityClassName": "cost-high",
}
OWN_IMAGE = {"registry": "registry.example", "repository": "ros/backend", "tag": "v2"}
"""ros.processor's own image: its init step (waiting for Kruize with the same image) follows it."""
SETTINGS: dict[str, dict[str, Any]] = {
    "ros.partitionCleaner": {"tolerations": [], "nodeSelector": {"pool": "batch"}},
    "ros.processor": {"image": OWN_IMAGE, "extraEnv": [{"name": "EXTRA", "value": "1"}]},
    "costManagement.api.reads": {
        "podAnnotations": {"example.com/owner": "finops"},
        "topologySpreadConstraints": [
            {"maxSkew": 2, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "DoNotSchedule"}
        ],
    },
}
"""Per-block settings over the release-wide ones: a CronJob, a Deployment with an init step, the API."""
SETUPS: dict[str, dict[str, Any]] = {
    "kubernetes": {"edge": {"auth": {"mode": "gateway", "jwt": {"issuer": "https://sso.example/realms/x"}}}},
    "openshift": {
        "platform": "openshift",
        "costManagement": {"api": {"mode": "unified"}},
        "edge": {
            "auth": {
                "mode": "gateway",
                "jwt": {"issuer": "https://sso.example/realms/x"},
                "tokenReview": {"enabled": True, "orgId": "o1"},
            }
        },
    },
    "ros-only": {"costManagement": {"enabled": False}},
}
"""Between them every block runs: the split API, MinIO and the edge gateway on Kubernetes; the
unified API and Authorino on OpenShift; insights-ros-ingress with Cost Management off."""


def _at(path: str, value: dict[str, Any]) -> dict[str, Any]:
    for key in reversed(path.split(".")):
        value = {key: value}
    return value


def _merge(*layers: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            both = isinstance(value, dict) and isinstance(merged.get(key), dict)
            merged[key] = _merge(merged[key], value) if both else value
    return merged


BLOCKS = [path for path, _ in components(Values())]


@functools.cache
def _rendered(setup: str) -> tuple[Values, list[dict[str, Any]]]:
    """The setup with every block labelled by its path, release-wide scheduling and :data:`SETTINGS`."""
    labels = [_at(path, {"podLabels": {BLOCK_LABEL: path}}) for path in BLOCKS]
    settings = [_at(path, value) for path, value in SETTINGS.items()]
    values = parse(_merge(SETUPS[setup], {"scheduling": RELEASE_WIDE}, *labels, *settings))
    return values, [obj for docs in render(values).values() for obj in docs]


def _templates(setup: str) -> dict[str, dict[str, Any]]:
    """Block path -> the pod template of the first object its label reached."""
    found: dict[str, dict[str, Any]] = {}
    for _, template in pod_templates(_rendered(setup)[1]):
        found.setdefault(template["metadata"]["labels"].get(BLOCK_LABEL, "?"), template)
    return found


def test_every_component_block_reaches_its_pods() -> None:
    reached = {label for setup in SETUPS for label in _templates(setup)}
    assert len(BLOCKS) > 40
    assert [path for path in BLOCKS if path not in reached] == []


@pytest.mark.parametrize("setup", list(SETUPS))
def test_scheduled_output_passes_every_invariant(setup: str) -> None:
    """Strict Kubernetes schemas included: the settings render in Kubernetes' own shapes."""
    values, docs = _rendered(setup)
    kinds = {obj["kind"] for obj in docs}
    assert {"Deployment", "Job", "CronJob"} <= kinds and (setup == "openshift" or "StatefulSet" in kinds)
    assert invariant_problems(values, docs) == {}


@pytest.mark.parametrize("setup", list(SETUPS))
def test_release_wide_scheduling_reaches_every_pod_unless_a_block_replaces_it(setup: str) -> None:
    own = {path for path in SETTINGS}
    for label, template in _templates(setup).items():
        spec = template["spec"]
        assert spec["affinity"] == AFFINITY and spec["priorityClassName"] == "cost-high", label
        if label not in own:
            assert spec["nodeSelector"] == RELEASE_WIDE["nodeSelector"], label
            assert spec["tolerations"] == [TOLERATION], label


def test_a_block_replaces_or_clears_release_wide_fields() -> None:
    templates = _templates("kubernetes")
    cleaner = templates["ros.partitionCleaner"]["spec"]
    assert cleaner["nodeSelector"] == {"pool": "batch"} and "tolerations" not in cleaner
    reads = templates["costManagement.api.reads"]
    assert reads["metadata"]["annotations"]["example.com/owner"] == "finops"
    assert "checksum/config" in reads["metadata"]["annotations"]
    (spread,) = reads["spec"]["topologySpreadConstraints"]
    assert spread["whenUnsatisfiable"] == "DoNotSchedule"
    assert spread["labelSelector"]["matchLabels"]["app.kubernetes.io/component"] == "api-reads"
    builtin = templates["costManagement.api.writes"]["spec"]["topologySpreadConstraints"]
    assert [c["topologyKey"] for c in builtin] == ["kubernetes.io/hostname", "topology.kubernetes.io/zone"]


def test_own_image_and_extra_env_reach_the_main_container_and_init_steps_of_its_image() -> None:
    processor = _templates("kubernetes")["ros.processor"]["spec"]
    (main,) = processor["containers"]
    assert main["image"] == "registry.example/ros/backend:v2"
    assert {"name": "EXTRA", "value": "1"} in main["env"]
    assert [c["image"] for c in processor["initContainers"]] == ["registry.example/ros/backend:v2"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"scheduling": {"tolerations": [{"key": "a", "operator": "Maybe"}]}},
            "scheduling.tolerations.0.operator: 'Maybe' is not one of 'Exists' or 'Equal'",
        ),
        (
            {"ros": {"api": {"tolerations": [{"key": "a", "effect": "NoRun"}]}}},
            "ros.api.tolerations.0.effect: 'NoRun' is not one of",
        ),
        ({"scheduling": {"tolerations": [{"value": "x"}]}}, "without key tolerates every taint and needs operator"),
        (
            {"database": {"internal": {"tolerations": [{"key": "a", "tolerationSeconds": 60}]}}},
            "database.internal.tolerations.0: tolerationSeconds needs effect NoExecute",
        ),
        (
            {"costManagement": {"beat": {"priorityClassName": "High_Prio"}}},
            "costManagement.beat.priorityClassName: 'High_Prio' is not a DNS subdomain",
        ),
        (
            {"scheduling": {"nodeSelector": {"a/b/c": "x"}}},
            "scheduling.nodeSelector.a/b/c.[key]: 'a/b/c' is not a label key",
        ),
        (
            {"costManagement": {"workers": {"pools": {"ocp": {"podLabels": {"app.kubernetes.io/instance": "x"}}}}}},
            "costManagement.workers.pools.ocp.podLabels: 'app.kubernetes.io/instance' is a selector label",
        ),
        (
            {"edge": {"auth": {"gateway": {"podAnnotations": {"checksum/config": "x"}}}}},
            "edge.auth.gateway.podAnnotations: 'checksum/config': checksum/* annotations are set by the release",
        ),
        (
            {"scheduling": {"affinity": {"nodeAffinity": {}, "nodeAfinity": {}}}},
            "scheduling.affinity.nodeAfinity: unknown",
        ),
        (
            {"ros": {"kruize": {"topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "zone"}]}}},
            "ros.kruize.topologySpreadConstraints.0.whenUnsatisfiable: required",
        ),
    ],
)
def test_bad_settings_are_values_errors_naming_the_field(data: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValuesError) as caught:
        parse(data)
    assert any(expected in problem for problem in caught.value.problems), caught.value.problems


def test_require_digests_covers_a_components_own_image() -> None:
    images = Values().images
    pinned = {
        field.alias or name: {"digest": "sha256:" + "0" * 64}
        for name, field in type(images).model_fields.items()
        if isinstance(getattr(images, name), type(images.koku))
    }
    with pytest.raises(ValuesError) as caught:
        parse({"images": {"requireDigests": True, **pinned}, "ros": {"processor": {"image": OWN_IMAGE}}})
    assert caught.value.problems == ["ros.processor.image: images.requireDigests is true but this image has no digest"]
