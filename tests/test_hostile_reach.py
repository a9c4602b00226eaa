"""Hostile reach: what a stranger, a curious monitoring namespace or a careless upgrade can get
at, evaluated on the synthesized objects (the NetworkPolicy evaluator of ``test_network``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import render
from test_network import EDGE, PROMETHEUS, STRANGER, allowed, objects_of, outside, release_pods

from ros_constructs.tools.compare import ObjectKey, compare, object_key
from ros_constructs.values import ValuesError, load

Obj = dict[str, Any]
JWT = ["edge.auth.mode=gateway", "edge.auth.jwt.issuer=https://id.example.com"]


def policies(docs: list[Obj]) -> list[Obj]:
    return [o for o in docs if o["kind"] == "NetworkPolicy"]


def pod(docs: list[Obj], component: str) -> Any:
    (found,) = [p for p in release_pods(docs) if p.name == component]
    return found


def egress_peers(docs: list[Obj], component: str, port: int) -> list[Obj]:
    """Every peer the policies selecting ``component`` open on ``port``."""
    subject = pod(docs, component)
    return [
        peer
        for p in policies(docs)
        if subject.matches(p["spec"]["podSelector"])
        for rule in p["spec"].get("egress") or []
        if any(q["port"] == port for q in rule.get("ports") or [])
        for peer in rule["to"]
    ]


def test_the_monitoring_namespace_reaches_no_kruize_port_by_default() -> None:
    docs = objects_of(load())
    kruize = pod(docs, "kruize")
    assert not any(allowed(policies(docs), PROMETHEUS, kruize, port) for port, _ in kruize.ports)


@pytest.mark.parametrize("caller", [STRANGER, PROMETHEUS, outside("kafka", "kafka")])
def test_no_pod_outside_the_release_reaches_kruize_or_the_database(caller: Any) -> None:
    docs = objects_of(load())
    for target in (pod(docs, "kruize"), pod(docs, "database")):
        assert not any(allowed(policies(docs), caller, target, port) for port, _ in target.ports), target.name


def test_an_exposed_gateway_admits_only_the_ingress_controllers_namespace() -> None:
    docs = objects_of(load([], ["edge.exposure.type=ingress", *JWT]))
    gateway = pod(docs, "gateway")
    ports = [port for port, _ in gateway.ports]
    assert any(allowed(policies(docs), EDGE, gateway, port) for port in ports)
    assert not any(allowed(policies(docs), STRANGER, gateway, port) for port in ports)
    moved = objects_of(load([], ["edge.exposure.type=ingress", *JWT, "edge.networkPolicies.ingressNamespaces=[edge]"]))
    assert not any(allowed(policies(moved), EDGE, pod(moved, "gateway"), port) for port in ports)
    assert any(allowed(policies(moved), outside("ctl", "edge"), pod(moved, "gateway"), port) for port in ports)


@pytest.mark.parametrize(
    ("sets", "peers"),
    [
        ([], [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kafka"}}}]),
        (
            ["kafka.bootstrapServers=brokers.example.internal:9092"],
            [{"ipBlock": {"cidr": c}} for c in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")],
        ),
        (
            ["kafka.bootstrapServers=10.1.2.3:9092", "edge.networkPolicies.storeCidrs=[10.1.2.0/24]"],
            [{"ipBlock": {"cidr": "10.1.2.0/24"}}],
        ),
    ],
)
def test_kafka_clients_send_to_the_kafka_namespace_or_the_configured_ranges_never_anywhere(
    sets: list[str], peers: list[Obj]
) -> None:
    docs = objects_of(load([], sets))
    assert egress_peers(docs, "listener", 9092) == peers


def test_an_external_database_named_by_its_service_opens_only_its_namespace() -> None:
    docs = objects_of(load([], ["database.mode=external", "database.external.host=pg.shared-db.svc.cluster.local"]))
    peers = egress_peers(docs, "api-reads", 5432)
    assert peers == [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "shared-db"}}}]


@pytest.mark.parametrize("cidr", ["0.0.0.0/33", "10.0.0.1/8", "anywhere", "10.0.0.0/8;id"])
def test_a_malformed_cidr_is_a_values_error_naming_it(cidr: str) -> None:
    with pytest.raises(ValuesError, match=r"storeCidrs"):
        load([], [f"edge.networkPolicies.storeCidrs=[{cidr}]"])


def test_the_strimzi_listener_admits_only_the_releases_pods() -> None:
    docs = objects_of(load([], ["kafka.mode=strimzi", "kafka.strimzi.broker.deploy=true"]))
    (kafka,) = [o for o in docs if o["kind"] == "Kafka"]
    for listener in kafka["spec"]["kafka"]["listeners"]:
        assert listener["networkPolicyPeers"] == [
            {"podSelector": {"matchLabels": {"app.kubernetes.io/instance": "cost-onprem"}}}
        ]


def test_authorino_watches_only_labelled_secrets_and_cannot_get_one_by_name() -> None:
    sets = ["platform=openshift", *JWT, "edge.auth.tokenReview.enabled=true", "edge.auth.tokenReview.orgId=1"]
    docs = objects_of(load([], sets))
    (deployment,) = [o for o in docs if o["kind"] == "Deployment" and o["metadata"]["name"].endswith("authorino")]
    args = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
    selector = "--secret-label-selector=authorino.kuadrant.io/managed-by=authorino,app.kubernetes.io/instance="
    assert f"{selector}cost-onprem" in args
    (role,) = [o for o in docs if o["kind"] == "Role" and o["metadata"]["name"].endswith("authorino")]
    secrets = [r for r in role["rules"] if "secrets" in r["resources"]]
    assert [r["verbs"] for r in secrets] == [["list", "watch"]]


def _walk(node: Any) -> Iterator[Obj]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_the_gateway_refuses_tokens_without_an_expiry() -> None:
    docs = objects_of(load([], JWT))
    texts = [text for o in docs if o["kind"] == "ConfigMap" for text in o.get("data", {}).values()]
    configs = [yaml.safe_load(text) for text in texts if "jwt_authn" in text]
    providers = [p for c in configs for node in _walk(c) if "providers" in node for p in node["providers"].values()]
    assert providers and all(p["require_expiration"] is True for p in providers)


def test_no_container_gets_the_object_storage_keys_in_its_arguments() -> None:
    docs = objects_of(load())
    (job,) = [o for o in docs if o["kind"] == "Job" and "minio-buckets" in o["metadata"]["name"]]
    (container,) = job["spec"]["template"]["spec"]["containers"]
    argv = " ".join([*container.get("command", []), *container.get("args", [])])
    assert "ACCESS_KEY" not in argv and "SECRET_KEY" not in argv and "alias set" not in argv
    env = {e["name"]: e for e in container["env"]}
    assert env["MC_HOST_store"]["value"].startswith("http://$(ACCESS_KEY):$(SECRET_KEY)@")
    assert list(env).index("MC_HOST_store") > max(list(env).index("ACCESS_KEY"), list(env).index("SECRET_KEY"))


# --- the upgrade guard ------------------------------------------------------------------------


def outputs(*sets: str) -> dict[ObjectKey, Obj]:
    return {object_key(o): o for chart in render(load([], list(sets))).values() for o in chart}


def refused(old: dict[ObjectKey, Obj], new: dict[ObjectKey, Obj]) -> list[tuple[str, tuple[str, ...]]]:
    return [(str(r.key), r.fields) for r in compare(Path("old"), old, new).refusals]


def test_a_release_rename_is_refused_for_every_store_it_leaves_behind() -> None:
    found = refused(outputs(), outputs("release=renamed"))
    assert ("StatefulSet.apps cost-onprem/cost-onprem-database", ("removed",)) in found
    assert ("StatefulSet.apps cost-onprem/cost-onprem-minio", ("removed",)) in found


def test_switching_cost_management_off_is_refused_for_kokus_database() -> None:
    found = refused(outputs(), outputs("costManagement.enabled=false"))
    assert ("ConfigMap cost-onprem/cost-onprem-database-ensure", ("database koku removed",)) in found


def test_a_database_mode_switch_is_refused_and_names_what_starts_empty() -> None:
    comparison = compare(Path("old"), outputs(), outputs("database.mode=cloudnativepg"))
    (database,) = [r for r in comparison.refusals if r.key.name == "cost-onprem-database"]
    assert database.fields == ("removed",)
    assert "Cluster.postgresql.cnpg.io cost-onprem/cost-onprem-database: new, and starts empty" in database.migrate


def test_the_same_output_again_is_not_refused() -> None:
    assert refused(outputs(), outputs()) == []


def test_a_copy_of_one_store_under_the_same_name_keeps_the_guard_quiet() -> None:
    old = outputs()
    new = {k: v for k, v in old.items() if k.kind != "StatefulSet"}
    found = refused(old, new)
    assert {key for key, _ in found} == {
        "StatefulSet.apps cost-onprem/cost-onprem-database",
        "StatefulSet.apps cost-onprem/cost-onprem-minio",
    }
    assert refused(old, {**new, **{k: v for k, v in old.items() if k.kind == "StatefulSet"}}) == []


def test_the_evaluator_sees_the_stranger_nowhere() -> None:
    docs = objects_of(load([], ["edge.exposure.type=ingress", *JWT]))
    stranger = replace(STRANGER, labels=(("app.kubernetes.io/instance", "cost-onprem"),))
    for target in release_pods(docs):
        assert not any(allowed(policies(docs), stranger, target, port) for port, _ in target.ports), target.name
