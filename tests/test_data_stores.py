"""Data-store modes: what each deploys, and that auth, TLS and Kafka security reach every client."""

from __future__ import annotations

from typing import Any

from conftest import container_env, objects, pod_templates
from test_gate import matrix_objects

STORE_APPS = {"postgresql", "redis", "valkey", "minio"}


def app(obj: dict[str, Any]) -> str:
    return str(obj["metadata"]["labels"]["app.kubernetes.io/name"])


def test_external_stores_deploy_nothing() -> None:
    deployed = {app(o) for o in objects("everything") if o["kind"] in ("StatefulSet", "Deployment", "Job", "Service")}
    assert not deployed & STORE_APPS
    kinds = {o["kind"] for o in objects("everything")}
    assert not kinds & {"Cluster", "ObjectBucketClaim", "KafkaTopic", "KafkaUser", "Kafka"}


def test_default_runs_each_store_and_ensures_its_logins() -> None:
    docs = objects("default")
    workloads = {(o["kind"], app(o)) for o in docs if o["kind"] in ("StatefulSet", "Deployment", "Job")}
    assert {("StatefulSet", "postgresql"), ("Job", "postgresql"), ("Deployment", "redis")} <= workloads
    assert {("StatefulSet", "minio"), ("Job", "minio")} <= workloads
    assert [o["kind"] for o in docs].count("Namespace") == 1


def _clients(docs: list[dict[str, Any]], variable: str) -> list[tuple[str, dict[str, Any]]]:
    """(name, resolved env) of every pod whose main container sets ``variable``."""
    found = []
    for obj in docs:
        if obj["kind"] not in ("Deployment", "Job", "StatefulSet"):
            continue
        env = container_env(obj, docs)
        if variable in env:
            found.append((obj["metadata"]["name"], env))
    return found


def test_cache_auth_and_tls_reach_every_client() -> None:
    docs = matrix_objects("production-kubernetes")
    clients = _clients(docs, "REDIS_HOST")
    assert clients
    for name, env in clients:
        assert env["REDIS_PASSWORD"]["secretKeyRef"]["name"] == "valkey-auth", name
        assert env["REDIS_SSL"] == "True" and env["REDIS_SSL_CA_CERTS"] == "/etc/cache-ca/ca.crt", name
    mounts = {n: t["spec"]["volumes"] for n, t in pod_templates(docs)}
    for name, _ in clients:
        assert any(v.get("secret", {}).get("secretName") == "valkey-tls" for v in mounts[name]), name


def test_each_kafka_client_has_exactly_one_security_protocol() -> None:
    for entry in ("production-kubernetes", "default-kubernetes"):
        docs = matrix_objects(entry)
        clients = _clients(docs, "INSIGHTS_KAFKA_HOST")
        assert {n.removeprefix("cost-onprem-") for n, _ in clients} == {"listener", "masu", "api-writes"}
        for name, template in pod_templates(docs):
            container = template["spec"]["containers"][0]
            settings = [e for e in container.get("env", []) if e["name"] == "KAFKA_SECURITY_PROTOCOL"]
            from_maps = [
                o
                for o in docs
                if o["kind"] == "ConfigMap"
                and {"configMapRef": {"name": o["metadata"]["name"]}} in container.get("envFrom", [])
                and "KAFKA_SECURITY_PROTOCOL" in o.get("data", {})
            ]
            assert len(settings) + len(from_maps) <= 1, name
        for name, env in clients:
            if entry.startswith("production"):  # Strimzi, SCRAM over TLS: Koku's own KafkaUser
                assert env["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL" and env["KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
                assert env["KAFKA_SASL_USERNAME"] == "cost-onprem-koku", name
                assert env["KAFKA_SASL_PASSWORD"]["secretKeyRef"]["name"] == "cost-onprem-koku", name
            else:  # PLAINTEXT: Koku reads no security setting at all
                assert not {k for k in env if k.startswith("KAFKA_S")}, name


def test_strimzi_topics_and_acls_follow_the_components() -> None:
    docs = matrix_objects("production-kubernetes")
    topics = {o["metadata"]["name"] for o in docs if o["kind"] == "KafkaTopic"}
    assert "platform.upload.announce" in topics and "hccm.ros.events" in topics
    users = [o for o in docs if o["kind"] == "KafkaUser"]
    acl_topics = {
        user["metadata"]["name"]: {
            a["resource"]["name"] for a in user["spec"]["authorization"]["acls"] if a["resource"]["type"] == "topic"
        }
        for user in users
    }
    assert set().union(*acl_topics.values()) == topics
    # api-writes announces deleted sources, ROS's housekeeper reads them
    assert "platform.sources.event-stream" in acl_topics["cost-onprem-koku"] & acl_topics["cost-onprem-ros"]
    assert acl_topics["cost-onprem-ingress"] == {"platform.upload.announce", "platform.payload-status"}
