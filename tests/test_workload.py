"""Workload on its own: every controller kind, env source, volume, probe and validation."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import cdk8s
import pytest
from policies import pss_restricted_violations, schema_errors

from ros_constructs.core.conversations import API_SERVER, ServiceName
from ros_constructs.core.naming import Naming
from ros_constructs.core.platform import KUBERNETES, OPENSHIFT
from ros_constructs.core.pod import (
    ConfigMapFiles,
    Container,
    EmptyDir,
    Mount,
    Port,
    Probe,
    SecretFiles,
    config_map_key,
    field_ref,
    literal,
    resource_ref,
    secret_key,
)
from ros_constructs.core.references import References
from ros_constructs.core.scheduling import Scheduling
from ros_constructs.core.tree import inventory
from ros_constructs.core.workload import (
    CronJobKind,
    DeploymentKind,
    JobKind,
    Recreate,
    StatefulSetKind,
    VolumeClaim,
    Workload,
    WorkloadProps,
)
from ros_constructs.values import Autoscaling, resources

NAMING = Naming(release="demo", app="test", version="1.0")
SMALL = resources("10m", "16Mi", cpu_limit=None, memory_limit="32Mi")


def build(**props: Any) -> list[dict[str, Any]]:
    chart = cdk8s.Chart(cdk8s.Testing.app(), "test", namespace="ns")
    container = props.pop("container", Container(image="example.org/app:1", resources=SMALL))
    Workload(
        chart,
        "w",
        WorkloadProps(
            component="worker", naming=NAMING, platform=props.pop("platform", KUBERNETES), container=container, **props
        ),
    )
    docs = cdk8s.Testing.synth(chart)
    assert [e for d in docs if (e := schema_errors(d))] == []
    return docs


def kinds(docs: list[dict[str, Any]]) -> list[str]:
    return [d["kind"] for d in docs]


def test_single_replica_deployment_has_no_budget_and_no_service_without_ports() -> None:
    docs = build()
    assert kinds(docs) == ["Deployment"]
    pod = docs[0]["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    assert pss_restricted_violations(docs[0]["spec"]["template"]) == []


def test_everything_a_container_can_hold() -> None:
    container = Container(
        image="example.org/app:1",
        resources=resources("10m", "16Mi", cpu_limit="1", memory_limit="32Mi"),
        command=["run"],
        args=["--fast"],
        env=[
            literal("A", "1"),
            config_map_key("B", "cm", "b", optional=True),
            secret_key("C", "sec", "c"),
            field_ref("D", "metadata.name"),
            resource_ref("E", "limits.memory", divisor="1Mi"),
        ],
        mounts=[
            Mount(name="cache", path="/cache", source=EmptyDir(size_limit="1Gi")),
            Mount(name="creds", path="/etc/creds", source=SecretFiles(secret_name="sec", items={"c": "c.txt"})),
            Mount(name="conf", path="/etc/conf", source=ConfigMapFiles(config_map_name="cm", optional=True)),
        ],
        ports=[
            Port(name="http", container_port=8080, service_port=80),
            Port(name="admin", container_port=9901, expose=False),
        ],
        liveness=Probe.tcp("http"),
        readiness=Probe.http("/ready", "http", prefix="/app"),
        startup=Probe.exec(["true"], failure_threshold=10),
    )
    docs = build(container=container, controller=DeploymentKind(replicas=3))
    assert kinds(docs) == ["Deployment", "Service", "PodDisruptionBudget"]
    main = docs[0]["spec"]["template"]["spec"]["containers"][0]
    assert [e["name"] for e in main["env"]] == ["A", "B", "C", "D", "E"]
    assert main["env"][1]["valueFrom"]["configMapKeyRef"]["optional"] is True
    assert main["env"][4]["valueFrom"]["resourceFieldRef"]["divisor"] == "1Mi"
    mounts = {m["name"]: m for m in main["volumeMounts"]}
    assert mounts["creds"]["readOnly"] is True and mounts["conf"]["readOnly"] is True
    assert "readOnly" not in mounts["cache"]
    assert main["readinessProbe"]["httpGet"]["path"] == "/app/ready"
    assert main["livenessProbe"]["tcpSocket"] == {"port": "http"}
    assert main["startupProbe"]["exec"] == {"command": ["true"]}
    assert docs[1]["spec"]["ports"] == [{"name": "http", "port": 80, "targetPort": "http"}]


def test_autoscaled_deployment_leaves_replicas_to_the_hpa() -> None:
    scaling = Autoscaling(enabled=True, min_replicas=2, max_replicas=6)
    docs = build(controller=DeploymentKind(replicas=2, autoscaling=scaling))
    assert kinds(docs) == ["Deployment", "PodDisruptionBudget", "HorizontalPodAutoscaler"]
    assert "replicas" not in docs[0]["spec"]
    assert docs[2]["spec"]["metrics"][0]["resource"]["target"] == {"type": "Utilization", "averageUtilization": 75}


def test_recreate_strategy_and_grace_period() -> None:
    docs = build(controller=DeploymentKind(strategy=Recreate()), termination_grace_period_seconds=3600)
    assert docs[0]["spec"]["strategy"] == {"type": "Recreate"}
    assert docs[0]["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] == 3600


def test_stateful_set_with_claims_and_headless_service() -> None:
    container = Container(image="example.org/db:1", resources=SMALL, ports=[Port(name="pg", container_port=5432)])
    docs = build(
        controller=StatefulSetKind(volume_claims=[VolumeClaim(name="data", path="/data", size="1Gi")]),
        container=container,
        platform=OPENSHIFT,
    )
    assert kinds(docs) == ["StatefulSet", "Service"]
    claim = docs[0]["spec"]["volumeClaimTemplates"][0]
    assert claim["spec"]["storageClassName"] == "ocs-storagecluster-ceph-rbd"
    assert docs[1]["spec"]["clusterIP"] == "None"
    assert "runAsUser" not in docs[0]["spec"]["template"]["spec"]["securityContext"]


def test_job_and_cron_job() -> None:
    job = build(controller=JobKind(backoff_limit=1, ttl_seconds_after_finished=60))
    assert kinds(job) == ["Job"]
    spec = job[0]["spec"]
    assert (spec["backoffLimit"], spec["ttlSecondsAfterFinished"]) == (1, 60)
    assert "activeDeadlineSeconds" not in spec
    assert spec["template"]["spec"]["restartPolicy"] == "Never"
    spec_hash = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:10]
    assert job[0]["metadata"]["name"] == f"demo-worker-{spec_hash}", "named after its spec as written"
    cron = build(
        controller=CronJobKind(schedule="0 * * * *", job=JobKind(backoff_limit=2, active_deadline_seconds=600))
    )
    assert kinds(cron) == ["CronJob"]
    assert cron[0]["metadata"]["name"] == "demo-worker"
    assert (cron[0]["spec"]["schedule"], cron[0]["spec"]["concurrencyPolicy"]) == ("0 * * * *", "Forbid")
    job_spec = cron[0]["spec"]["jobTemplate"]["spec"]
    assert (job_spec["backoffLimit"], job_spec["activeDeadlineSeconds"]) == (2, 600)
    assert "ttlSecondsAfterFinished" not in job_spec


PLACEMENT = Scheduling(
    node_selector={"disk": "ssd"},
    tolerations=[{"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"}],
    affinity={"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": []}},
    priority_class_name="cost-high",
)


def pod_template(doc: dict[str, Any]) -> dict[str, Any]:
    spec = doc["spec"]["jobTemplate"]["spec"] if doc["kind"] == "CronJob" else doc["spec"]
    return dict(spec["template"])


@pytest.mark.parametrize(
    "controller",
    [DeploymentKind(replicas=2), StatefulSetKind(replicas=2), JobKind(), CronJobKind(schedule="0 * * * *")],
    ids=lambda c: type(c).__name__,
)
def test_scheduling_and_pod_labels_reach_every_kind_of_pod(controller: Any) -> None:
    template = pod_template(build(controller=controller, scheduling=PLACEMENT, pod_labels={"team": "cost"})[0])
    spec = template["spec"]
    assert spec["nodeSelector"] == {"disk": "ssd"}
    assert spec["tolerations"] == [{"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"}]
    assert spec["affinity"] == {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": []}}
    assert spec["priorityClassName"] == "cost-high"
    assert template["metadata"]["labels"] == {**NAMING.labels("worker"), "team": "cost"}


def test_given_spread_replaces_the_built_in_one_and_counts_the_own_pods() -> None:
    def spread_of(**props: Any) -> Any:
        return pod_template(build(**props)[0])["spec"].get("topologySpreadConstraints")

    built_in = spread_of(controller=DeploymentKind(replicas=2))
    assert [c["topologyKey"] for c in built_in] == ["kubernetes.io/hostname", "topology.kubernetes.io/zone"]
    zone = {"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "DoNotSchedule"}
    given = Scheduling(topology_spread_constraints=[zone])
    counted = [{**zone, "labelSelector": {"matchLabels": NAMING.selector("worker")}}]
    assert spread_of(controller=DeploymentKind(replicas=2), scheduling=given) == counted
    assert spread_of(controller=StatefulSetKind(spread=False), scheduling=given) == counted
    nothing = Scheduling(topology_spread_constraints=())
    assert spread_of(controller=DeploymentKind(replicas=2), scheduling=nothing) is None


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"controller": DeploymentKind(replicas=-1)}, "replicas -1 is less than 0"),
        ({"pod_labels": {"app.kubernetes.io/component": "other"}}, "may not set the selector label"),
        ({"automount_service_account_token": True}, "dedicated serviceAccountName"),
        ({"talks_to": [API_SERVER]}, "the Kubernetes API needs a mounted token"),
        (
            {"container": Container(image="x:1", resources=SMALL, liveness=Probe.http("/", "web"))},
            "'web' is not a named",
        ),
    ],
)
def test_bad_props_fail_at_construction(props: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build(**props)


def test_a_workload_talked_to_is_recorded_as_its_service() -> None:
    chart = cdk8s.Chart(cdk8s.Testing.app(), "test", namespace="ns")

    def workload(component: str, **props: Any) -> Workload:
        container = Container(image="x:1", resources=SMALL, ports=props.pop("ports", []))
        props = {"component": component, "naming": NAMING, "platform": KUBERNETES, "container": container, **props}
        return Workload(chart, component, WorkloadProps(**props))

    server = workload("server", ports=[Port(name="http", container_port=8080)])
    job = workload("job", controller=JobKind())
    workload("client", talks_to=[server, API_SERVER], automount_service_account_token=True, service_account_name="c")
    assert inventory(chart).conversations[-1].talks_to == (ServiceName("demo-server"), API_SERVER)
    assert inventory(chart).conversations[-1].selector == NAMING.selector("client")
    with pytest.raises(ValueError, match="client-2: job has no Service"):
        workload("client-2", talks_to=[job])


def test_too_long_names_fail_clearly() -> None:
    naming = Naming(release="r" * 60, app="test", version="1")
    with pytest.raises(ValueError, match="limit is 63"):
        naming.name("worker")


def test_the_registry_records_what_pods_read() -> None:
    registry = References()
    container = Container(
        image="example.org/app:1",
        resources=SMALL,
        env_from=["settings"],
        env=[secret_key("P", "login", "password"), secret_key("D", "dsn", "dsn", optional=True)],
        mounts=[Mount(name="ca", path="/etc/ca", source=SecretFiles(secret_name="ca", items={"ca.crt": "ca.crt"}))],
    )
    build(container=container, references=registry)
    registry.provide("ConfigMap", "settings", frozenset({"A"}))
    missing = {(r.kind, r.name): (sorted(r.keys), r.optional) for r in registry.missing()}
    assert missing == {
        ("Secret", "login"): (["password"], False),
        ("Secret", "ca"): (["ca.crt"], False),
        ("Secret", "dsn"): (["dsn"], True),
    }
