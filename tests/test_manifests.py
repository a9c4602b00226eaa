"""Every profile's output: reviewed snapshots, real schemas, PSS restricted, names and labels."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import PROFILES, objects, pod_templates, profile_diff, profile_values, render_profile
from policies import CLUSTER_SCOPED, custom_resource_errors, is_builtin, pss_restricted_violations, schema_errors

from ros_constructs.app import chart_ids

SELECTOR_KEYS = {"app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component"}
LABEL_KEYS = SELECTOR_KEYS | {"app.kubernetes.io/part-of", "app.kubernetes.io/managed-by", "app.kubernetes.io/version"}


@pytest.mark.parametrize("chart", chart_ids())
@pytest.mark.parametrize("profile", PROFILES)
def test_snapshot(profile: str, chart: str, snapshot_yaml: Any) -> None:
    """The default in full; other profiles store only what they change, so each file is about its
    profile. Each chart is compared with the nearer of the two references, ``default`` and
    ``openshift`` (``base`` says when it is the latter): a profile on OpenShift holds what it adds
    to OpenShift, and a Kubernetes profile that turns monitoring on holds what differs from
    OpenShift's monitoring, not every object again. The :func:`profile_diff` format says each thing
    once (shared changes under ``changed alike``, new objects ``like:`` a near one, new checksums
    alone) and loses nothing: test_profile_diff rebuilds every profile from its file."""
    output = render_profile(profile)[chart]
    if profile == "default":
        assert output == snapshot_yaml
        return
    diffs = {
        base: profile_diff(render_profile(base)[chart], output) for base in ("default", "openshift") if base != profile
    }
    natural = "openshift" if profile_values(profile).platform == "openshift" else "default"
    base = min(diffs, key=lambda b: (len(yaml.safe_dump(diffs[b])), b != natural))
    assert [{"base": base, **diffs[base]} if base != "default" else diffs[base]] == snapshot_yaml


@pytest.mark.parametrize("profile", PROFILES)
def test_builtin_objects_validate_strictly_against_kubernetes_1_28(profile: str) -> None:
    problems = {
        f"{obj['kind']}/{obj['metadata']['name']}": errors for obj in objects(profile) if (errors := schema_errors(obj))
    }
    assert problems == {}


@pytest.mark.parametrize("profile", PROFILES)
def test_custom_resources_validate_against_upstream_crds(profile: str, shared_dir: Path) -> None:
    custom = [obj for obj in objects(profile) if not is_builtin(obj)]
    problems = {
        f"{obj['kind']}/{obj['metadata']['name']}": errors
        for obj in custom
        if (errors := custom_resource_errors(obj, shared_dir / "crds"))
    }
    assert problems == {}


def test_the_gateway_profile_really_emits_a_custom_resource() -> None:
    assert [o["kind"] for o in objects("unified-gateway") if not is_builtin(o)] == ["HTTPRoute"]


@pytest.mark.parametrize("profile", PROFILES)
def test_every_pod_meets_pss_restricted(profile: str) -> None:
    templates = pod_templates(objects(profile))
    assert templates
    assert {name: v for name, t in templates if (v := pss_restricted_violations(t))} == {}


@pytest.mark.parametrize("profile", PROFILES)
def test_uids_are_fixed_on_kubernetes_and_left_to_openshift(profile: str) -> None:
    openshift = profile_values(profile).platform == "openshift"
    for name, template in pod_templates(objects(profile)):
        pod_sc = template["spec"]["securityContext"]
        fixed = {k for k in ("runAsUser", "runAsGroup", "fsGroup") if k in pod_sc}
        containers = [*template["spec"].get("initContainers", []), *template["spec"]["containers"]]
        fixed |= {k for c in containers for k in ("runAsUser", "runAsGroup") if k in c["securityContext"]}
        assert fixed == (set() if openshift else {"runAsUser", "runAsGroup", "fsGroup"}), name


@pytest.mark.parametrize("profile", PROFILES)
def test_every_object_is_named_labelled_and_namespaced(profile: str) -> None:
    for obj in objects(profile):
        meta = obj["metadata"]
        assert len(meta["name"]) <= 63
        assert set(meta["labels"]) >= LABEL_KEYS, meta["name"]
        if obj["kind"] == "Namespace":  # cluster-scoped: the release namespace itself
            assert meta["name"] == "cost-onprem" and "namespace" not in meta
            continue
        assert meta.get("namespace") == (None if obj["kind"] in CLUSTER_SCOPED else "cost-onprem")
        if obj["kind"] != "KafkaTopic":  # a KafkaTopic is named after the topic its clients use
            assert meta["name"].startswith("cost-onprem-")
        assert not any(key.startswith("cdk8s.io") for key in meta["labels"])


@pytest.mark.parametrize("profile", PROFILES)
def test_selectors_use_only_the_stable_labels(profile: str) -> None:
    for obj in objects(profile):
        spec = obj.get("spec", {})
        selector = spec.get("selector")
        if obj["kind"] == "Service":
            assert set(selector) == SELECTOR_KEYS
        elif isinstance(selector, dict):
            keys = set(selector["matchLabels"]) | {e["key"] for e in selector.get("matchExpressions", [])}
            assert keys == SELECTOR_KEYS, obj["metadata"]["name"]
        for constraint in spec.get("template", {}).get("spec", {}).get("topologySpreadConstraints", []):
            assert set(constraint["labelSelector"]["matchLabels"]) == SELECTOR_KEYS


@pytest.mark.parametrize("profile", PROFILES)
def test_every_service_selects_a_pod_template_and_probes_use_named_ports(profile: str) -> None:
    docs = objects(profile)
    templates = [t for _, t in pod_templates(docs)]
    for service in (o for o in docs if o["kind"] == "Service"):
        selector = service["spec"]["selector"]
        matching = [t for t in templates if selector.items() <= t["metadata"]["labels"].items()]
        assert matching, service["metadata"]["name"]
        port_names = {p["name"] for t in matching for c in t["spec"]["containers"] for p in c.get("ports", [])}
        assert {p["targetPort"] for p in service["spec"]["ports"]} <= port_names
    for template in templates:
        for container in template["spec"]["containers"]:
            names = {p["name"] for p in container.get("ports", [])}
            for kind in ("livenessProbe", "readinessProbe", "startupProbe"):
                action = container.get(kind, {}).get("httpGet") or container.get(kind, {}).get("tcpSocket")
                if action:
                    assert action["port"] in names, (container["name"], kind)


@pytest.mark.parametrize("profile", PROFILES)
def test_every_container_has_requests_and_a_memory_limit(profile: str) -> None:
    for _, template in pod_templates(objects(profile)):
        for container in [*template["spec"].get("initContainers", []), *template["spec"]["containers"]]:
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]), container["name"]
            assert "memory" in resources["limits"], container["name"]
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
            assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]


@pytest.mark.parametrize("profile", PROFILES)
def test_multi_replica_deployments_have_a_disruption_budget(profile: str) -> None:
    docs = objects(profile)
    autoscaled = {
        o["spec"]["scaleTargetRef"]["name"] for o in docs if o["kind"] in ("HorizontalPodAutoscaler", "ScaledObject")
    }
    budgets = {o["metadata"]["name"]: o["spec"] for o in docs if o["kind"] == "PodDisruptionBudget"}
    for deployment in (o for o in docs if o["kind"] == "Deployment"):
        name = deployment["metadata"]["name"]
        if name in autoscaled:
            assert "replicas" not in deployment["spec"], name
        if name in autoscaled or deployment["spec"].get("replicas", 1) > 1:
            assert budgets[name] == {
                "maxUnavailable": 1,
                "selector": deployment["spec"]["selector"],
                "unhealthyPodEvictionPolicy": "AlwaysAllow",
            }
        else:
            assert name not in budgets


def test_a_profile_diff_names_what_changed() -> None:
    base = [
        {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"replicas": 1, "env": [{"name": "A", "value": "1"}]}}
    ]
    other = [
        {
            "kind": "Deployment",
            "metadata": {"name": "d"},
            "spec": {"replicas": 2, "env": [{"name": "A", "value": "1"}]},
        },
        {"kind": "Service", "metadata": {"name": "s"}},
    ]
    assert profile_diff(base, other) == {
        "added": [{"kind": "Service", "metadata": {"name": "s"}}],
        "removed": [],
        "changed": {"Deployment/d": {"spec.replicas": {"default": 1, "profile": 2}}},
    }
    assert profile_diff(other, base)["removed"] == ["Service/s"]


def test_the_default_output_reads_in_under_200_lines_per_pod() -> None:
    """Reviewers read the YAML: envFrom instead of per-key refs, Kubernetes defaults left out; the
    edge's network policies share one policy among components with the same paths."""
    docs = render_profile("default")

    def lines(charts: list[str]) -> int:
        return sum(len(yaml.dump_all(docs[c], sort_keys=False, default_flow_style=False).splitlines()) for c in charts)

    pods = len(pod_templates(objects("default")))
    assert lines([c for c in docs if not c.endswith("-edge")]) / pods < 200
    assert lines([c for c in docs if c.endswith("-edge")]) / pods < 25
