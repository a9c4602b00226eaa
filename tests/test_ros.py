"""The ROS tier: every object the ROS chart renders has its counterpart (or a stated reason),
migrations run once, credentials stay in Secrets, and every Kafka client carries the release's
security settings (ros-ocp-backend through its Clowder file, rendered by real shells here)."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import container_env, objects, pod_templates, render
from test_gate import MATRIX_DIR, matrix_objects

from ros_constructs.core.secrets import SecretPlan, generated_data
from ros_constructs.ros.clowder import RENDER_SCRIPT
from ros_constructs.values import ValuesError, load
from ros_constructs.values.base import SECRET_LIKE_NAME

Obj = dict[str, Any]
R = "cost-onprem-"

# The ROS chart's objects (reference section 1.1, per platform) -> our counterpart "Kind/name" in
# ROS-only mode (what that chart deploys), or why there is none.
COUNTERPARTS: dict[str, str] = {
    "Deployment rosocp-api": "Deployment/rosocp-api",
    "Service rosocp-api": "Service/rosocp-api",
    "Deployment rosocp-processor": "Deployment/rosocp-processor",
    "Service rosocp-processor": "Service/rosocp-processor",
    "Deployment rosocp-recommendation-poller": "Deployment/rosocp-recommendation-poller",
    "Service rosocp-recommendation-poller": "Service/rosocp-recommendation-poller",
    "Deployment rosocp-housekeeper": "Deployment/rosocp-housekeeper",
    "CronJob delete-rosocp-partitions": "CronJob/rosocp-partitions",
    "(migrations in every container)": "Job/rosocp-migrate",
    "Deployment kruize": "Deployment/kruize",
    "Service kruize": "Service/kruize",
    "ConfigMap kruize-config": "Secret/kruize-config",
    "CronJob kruize-delete-partitions": "CronJob/kruize-partitions",
    "Deployment sources-api": "Deployment/sources-api",
    "Service sources-api": "Service/sources-api",
    "Secret sources-credentials": "Secret/sources-encryption",
    "Deployment ingress": "Deployment/ingress",
    "Service ingress": "Service/ingress",
    "StatefulSet db-ros / db-kruize / db-sources": "StatefulSet/database",
    "Secret db-credentials": "Secret/ros-db",
    "Deployment redis|valkey": "Deployment/{cache}",
    "StatefulSet minio (K8S)": "StatefulSet/minio",
    "Job minio-buckets (K8S)": "Job/minio-buckets",
    "ConfigMap service-ca (OCP)": "ConfigMap/service-ca",
    "ServiceAccount ros-ocp-backend": "no token: no ROS backend pod calls the Kubernetes API",
    "ClusterRole tokenreview-creator (+Binding)": "only the ingress makes TokenReviews",
    "ServiceAccount kruize, ClusterRole kruize (+Binding)": "Kruize never calls the API server",
    "ServiceAccount/ClusterRole insights-ros-ingress": "ServiceAccount/ingress",
    "ConfigMap cdapp-config": "no Clowder file in a ConfigMap: consumers write theirs into memory",
    "Service kafka (ExternalName)": "clients use kafka.bootstrapServers; the data-stores chart owns Kafka",
    "Ingress / Ingress kruize (K8S), Routes (OCP)": "edge.exposure: Route, Ingress or HTTPRoute; Kruize stays internal",
    "Envoy sidecars, Authorino, keycloak CA (OCP)": "edge.auth: gateway or sidecars, tokenReview",
    "NetworkPolicy kruize / sources-api / *-metrics (OCP)": "NetworkPolicy/kruize",
    "NetworkPolicy ingress (OCP)": "NetworkPolicy/ingress",
    "ServiceMonitor rosocp-api (OCP)": "ServiceMonitor/rosocp-api",
    "ServiceMonitor rosocp-processor (OCP)": "ServiceMonitor/rosocp-processor",
    "ServiceMonitor rosocp-recommendation-poller (OCP)": "ServiceMonitor/rosocp-recommendation-poller",
    "ServiceMonitor kruize (OCP)": "off by default: /metrics is on the unauthenticated API port "
    "(monitoring.serviceMonitors.kruize)",
    "CRD AuthConfig": "a cluster-wide CRD is the operator's to install",
}


def names(docs: list[Obj]) -> set[str]:
    return {f"{o['kind']}/{o['metadata']['name'].removeprefix(R)}" for o in docs}


@pytest.mark.parametrize("platform", ["kubernetes", "openshift"])
def test_every_ros_chart_object_has_a_counterpart_or_a_reason(platform: str) -> None:
    values = load([], [f"platform={platform}", "secrets.seed=0123456789abcdef", "costManagement.enabled=false"])
    docs = [o for chart in render(values).values() for o in chart]
    present = names(docs) | {f"Job/{o['metadata']['labels']['app.kubernetes.io/component']}" for o in docs}
    cache = "valkey" if platform == "openshift" else "redis"
    for chart_object, ours in COUNTERPARTS.items():
        if "/" not in ours.split(" ")[0]:
            continue  # a reason, not an object
        if ("(K8S)" in chart_object and platform == "openshift") or (
            "(OCP)" in chart_object and platform != "openshift"
        ):
            continue
        assert ours.format(cache=cache) in present, f"{chart_object} -> {ours} missing on {platform}"


def test_migrations_run_once_in_a_job_named_after_its_spec() -> None:
    docs = objects("default")
    jobs = [o for o in docs if o["kind"] == "Job" and o["metadata"]["labels"]["app.kubernetes.io/name"] == "rosocp"]
    (job,) = jobs
    assert job["metadata"]["name"].startswith(f"{R}rosocp-migrate-")
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["db", "migrate", "up"]
    for name, template in pod_templates(docs):
        for container in template["spec"]["containers"] + template["spec"].get("initContainers", []):
            assert (
                "migrate" not in " ".join(container.get("args", []) + container.get("command", []))
                or name == job["metadata"]["name"]
            ), name


def test_no_credential_in_any_config_map() -> None:
    seeded = load([], ["secrets.seed=0123456789abcdef"])
    for docs in (objects("default"), objects("everything"), matrix_objects("production-openshift")):
        secrets = {v for o in docs if o["kind"] == "Secret" for v in o.get("stringData", {}).values() if len(v) >= 16}
        for obj in docs:
            if obj["kind"] != "ConfigMap":
                continue
            for key, value in obj.get("data", {}).items():
                assert not (SECRET_LIKE_NAME.search(key) and not value.startswith("/")), (obj["metadata"]["name"], key)
                assert value not in secrets, (obj["metadata"]["name"], key)
    kruize = [o for o in render_all(seeded) if o["kind"] == "Secret" and o["metadata"]["name"] == f"{R}kruize-config"]
    assert set(json.loads(kruize[0]["stringData"]["cdappconfig.json"])["database"]) == {"hostname", "port", "name"}


def render_all(values: Any) -> list[Obj]:
    return [o for chart in render(values).values() for o in chart]


def test_router_sends_recommendations_to_the_ros_api() -> None:
    router = next(o for o in objects("default") if o["kind"] == "ConfigMap" and "nginx.conf" in o.get("data", {}))
    assert f"server {R}rosocp-api.cost-onprem.svc:8000;" in router["data"]["nginx.conf"]
    off = render_all(load([], ["ros.enabled=false"]))
    assert not [o for o in off if o["metadata"].get("labels", {}).get("app.kubernetes.io/name") == "rosocp"]


def test_ros_api_reads_from_the_replica() -> None:
    api = next(o for o in matrix_objects("production-kubernetes") if o["metadata"]["name"] == f"{R}rosocp-api")
    env = container_env(api, matrix_objects("production-kubernetes"))
    assert env["DB_HOST"] == f"{R}database-ro.cost-onprem.svc" and env["DB_SSL"] == "verify-ca"
    assert env["DB_CA_CERT"] == {"secretKeyRef": {"key": "ca.crt", "name": f"{R}database-ca"}}


def test_generated_encryption_key_is_an_unpadded_base64_aes_key() -> None:
    plan = SecretPlan(name="x", keys=("encryption-key",), generated=True, encoding="base64-raw")
    key = generated_data(plan, "0123456789abcdef", namespace="ns", release="r")["encryption-key"]
    assert "=" not in key and len(base64.b64decode(key + "=")) == 32


def test_sources_api_refuses_settings_it_cannot_read() -> None:
    with pytest.raises(ValuesError, match=r"ros\.sources.*kafka\.securityProtocol SASL_SSL"):
        sasl = ["kafka.securityProtocol=SASL_SSL", "kafka.sasl.mechanism=SCRAM-SHA-512"]
        load([], ["costManagement.enabled=false", *sasl])


def test_sources_api_runs_only_where_no_koku_serves_sources() -> None:
    """On-prem Koku serves the sources API itself; sources-api-go is ROS-only mode's."""
    with pytest.raises(ValuesError, match=r"ros\.sources\.enabled true: with Cost Management on, Koku serves"):
        load([], ["ros.sources.enabled=true"])
    deployed = {o["metadata"]["name"] for o in objects("default") if o["kind"] == "Deployment"}
    assert f"{R}sources-api" not in deployed and f"{R}rosocp-housekeeper" in deployed
    assert f"{R}sources-api" in {o["metadata"]["name"] for o in objects("ros-only") if o["kind"] == "Deployment"}


# --- Kafka security on every ROS client --------------------------------------------------------


def _pod(docs: list[Obj], component: str) -> Obj:
    return next(o for o in docs if o["kind"] == "Deployment" and o["metadata"]["name"] == f"{R}{component}")


def test_every_ros_kafka_client_carries_the_security_settings() -> None:
    docs = matrix_objects("production-kubernetes")
    for component in ("rosocp-processor", "rosocp-recommendation-poller"):
        spec = _pod(docs, component)["spec"]["template"]["spec"]
        assert {"name": "ACG_CONFIG", "value": "/var/run/clowder/cdappconfig.json"} in spec["containers"][0]["env"]
        render_step = next(c for c in spec["initContainers"] if c["name"] == "clowder-config")
        env = {e["name"]: e.get("value", e.get("valueFrom")) for e in render_step["env"]}
        assert env["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL" and env["KAFKA_SASL_USERNAME"] == f"{R}ros"
        assert env["KAFKA_SASL_PASSWORD"] == {"secretKeyRef": {"key": "password", "name": f"{R}ros"}}
        assert env["KAFKA_CA_FILE"] == "/etc/kafka-ca/ca.crt"
    ros_only = ros_only_objects("production-kubernetes")
    ingress = container_env(_pod(ros_only, "ingress"), ros_only)
    assert ingress["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL" and ingress["KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
    assert ingress["KAFKA_SASL_USERNAME"] == f"{R}ros-ingress"
    assert ingress["KAFKA_SSL_CA_LOCATION"] == "/etc/kafka-ca/ca.crt"
    plain = objects("default")
    spec = _pod(plain, "rosocp-processor")["spec"]["template"]["spec"]
    assert [c["name"] for c in spec["initContainers"]] == ["wait-for-kruize"]
    plain = objects("ros-only")
    assert container_env(_pod(plain, "ingress"), plain)["KAFKA_SECURITY_PROTOCOL"] == "PLAINTEXT"


def ros_only_objects(entry: str) -> list[Obj]:
    """A matrix entry in ROS-only mode (sources-api-go off: it speaks no SASL)."""
    name, _, platform = entry.rpartition("-")
    overrides = ["costManagement.enabled=false", "ros.sources.enabled=false"]
    values = load([MATRIX_DIR / f"{name}.yaml"], [f"platform={platform}", *overrides])
    return [o for docs in render(values).values() for o in docs]


def test_each_application_has_its_own_kafka_user() -> None:
    users = {o["metadata"]["name"] for o in matrix_objects("production-kubernetes") if o["kind"] == "KafkaUser"}
    assert users == {f"{R}koku", f"{R}ros", f"{R}ingress"}
    ros_only = {o["metadata"]["name"] for o in ros_only_objects("production-kubernetes") if o["kind"] == "KafkaUser"}
    assert ros_only == {f"{R}ros", f"{R}ros-ingress"}


SHELLS = [s for s in ("dash", "bash", "busybox") if shutil.which(s)]


@pytest.mark.parametrize("shell", ["dash", "bash", "busybox"])
def test_clowder_file_is_valid_json_for_awkward_values(shell: str, tmp_path: Path) -> None:
    if shell not in SHELLS:
        pytest.skip(f"{shell} is not installed here")
    ca = tmp_path / "ca.crt"
    ca.write_text('-----BEGIN CERTIFICATE-----\nMIIB\\"q\n-----END CERTIFICATE-----\n')
    env = {
        "PATH": "/usr/bin:/bin",
        "ACG_CONFIG": str(tmp_path / "cdappconfig.json"),
        "DB_HOST": "db",
        "DB_PORT": "5432",
        "DB_NAME": "ros",
        "DB_USER": "ros",
        "DB_PASSWORD": 'p"w\\$x`y\ttab',
        "DB_SSL": "verify-ca",
        "DB_CA_CERT": "-----BEGIN\nabc\n-----END",
        "KAFKA_BOOTSTRAP_SERVERS": "k0.kafka.svc:9093,k1.kafka.svc:9093",
        "KAFKA_SASL_USERNAME": "cost-onprem-ros",
        "KAFKA_SASL_PASSWORD": 's3cr"t',
        "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "KAFKA_CA_FILE": str(ca),
        "TOPICS": "hccm.ros.events rosocp.kruize.recommendations",
        "PROMETHEUS_PORT": "9000",
    }
    command = [shell, "sh", "-c", RENDER_SCRIPT] if shell == "busybox" else [shell, "-c", RENDER_SCRIPT]
    subprocess.run(command, env=env, check=True, timeout=30)
    config = json.loads((tmp_path / "cdappconfig.json").read_text())
    db, (broker,) = config["database"], config["kafka"]["brokers"]
    assert db["password"] == env["DB_PASSWORD"] and db["rdsCa"] == env["DB_CA_CERT"]
    assert (broker["hostname"], broker["port"], broker["authtype"]) == ("k0.kafka.svc", 9093, "sasl")
    assert broker["sasl"]["password"] == 's3cr"t' and broker["cacert"] == ca.read_text().rstrip("\n")
    assert [t["requestedName"] for t in config["kafka"]["topics"]] == env["TOPICS"].split()
    assert config["logging"]["cloudwatch"] == {"accessKeyId": "", "secretAccessKey": "", "region": "", "logGroup": ""}
