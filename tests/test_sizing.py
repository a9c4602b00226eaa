"""Sizing (ros_constructs/tools/sizing.py): quantities, the scheduler's pod rule, replicas from
autoscalers, the terminal table, the CLI's summary and --sizing, and the README's table per profile."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, made_of, objects, profile_values, render, ros_synth
from test_gate import matrix_values

from ros_constructs.tools.sizing import (
    BEGIN,
    END,
    Amounts,
    cpu,
    memory,
    pod_amounts,
    profiles,
    quantity,
    read_objects,
    readme_block,
    replace_block,
    sizing,
)
from ros_constructs.values import load

Obj = dict[str, Any]
MI, GI = 2**20, 2**30


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("250m", Decimal("0.25")),
        ("1", Decimal(1)),
        (2, Decimal(2)),
        ("1.5", Decimal("1.5")),
        (".5", Decimal("0.5")),
        ("100n", Decimal("0.0000001")),
        ("512Mi", Decimal(512 * MI)),
        ("1Gi", Decimal(GI)),
        ("64Ki", Decimal(64 * 1024)),
        ("1G", Decimal(10**9)),
        ("500M", Decimal(5 * 10**8)),
        ("128974848", Decimal(128974848)),
        ("1e3", Decimal(1000)),
        ("1.5E-3", Decimal("0.0015")),
    ],
)
def test_quantities_parse_to_cores_and_bytes(text: str | int, expected: Decimal) -> None:
    assert quantity(text) == expected


@pytest.mark.parametrize("text", ["", "2 cores", "1MB", "Gi", "1.2.3", "-"])
def test_a_bad_quantity_is_an_error(text: str) -> None:
    with pytest.raises(ValueError, match="is not a Kubernetes quantity"):
        quantity(text)


def container(name: str, cpu: str | None = None, memory: str | None = None, **extra: Any) -> Obj:
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v is not None}
    return {"name": name, "resources": {"requests": requests, "limits": dict(requests)}, **extra}


SIDECAR = {"restartPolicy": "Always"}


@pytest.mark.parametrize(
    ("init", "apps", "cores", "mebibytes"),
    [
        # the app containers add up
        ([], [container("a", "250m", "256Mi"), container("b", "500m", "128Mi")], "0.75", 384),
        # an init container larger than the apps sets the pod's request
        ([container("i", "1", "1Gi")], [container("a", "250m", "256Mi")], "1", 1024),
        # a larger init cpu and larger app memory: each resource on its own
        ([container("i", "2", "64Mi")], [container("a", "250m", "256Mi")], "2", 256),
        # a sidecar adds to the apps ...
        ([container("s", "100m", "100Mi", **SIDECAR)], [container("a", "500m", "500Mi")], "0.6", 600),
        # ... and to an init container started after it, not to one started before
        (
            [container("s", "100m", "10Mi", **SIDECAR), container("i", "550m", "10Mi")],
            [container("a", "500m")],
            "0.65",
            20,
        ),
        (
            [container("i", "550m", "10Mi"), container("s", "100m", "10Mi", **SIDECAR)],
            [container("a", "500m")],
            "0.6",
            10,
        ),
    ],
)
def test_pod_requests_follow_the_schedulers_rule(init: list[Obj], apps: list[Obj], cores: str, mebibytes: int) -> None:
    assert pod_amounts({"initContainers": init, "containers": apps}, "requests") == Amounts(
        Decimal(cores), Decimal(mebibytes * MI)
    )


def test_a_request_defaults_to_the_limit_and_a_missing_limit_leaves_the_pod_unbounded() -> None:
    only_limits = {"name": "a", "resources": {"limits": {"cpu": "300m", "memory": "1Gi"}}}
    no_cpu_limit = {
        "name": "b",
        "resources": {"requests": {"cpu": "100m", "memory": "1Gi"}, "limits": {"memory": "2Gi"}},
    }
    pod = {"containers": [only_limits, no_cpu_limit]}
    assert pod_amounts(pod, "requests") == Amounts(Decimal("0.4"), Decimal(2 * GI))
    assert pod_amounts(pod, "limits") == Amounts(Decimal("0.3"), Decimal(3 * GI), frozenset({"cpu"}))


def workload(kind: str, name: str, spec: Obj, api_version: str = "apps/v1") -> Obj:
    return {"apiVersion": api_version, "kind": kind, "metadata": {"name": name}, "spec": spec}


def pod_spec(cpu: str, memory: str) -> Obj:
    return {"template": {"spec": {"containers": [container("main", cpu, memory)]}}}


def scaler(kind: str, target: str, **counts: int) -> Obj:
    api_version = "autoscaling/v2" if kind == "HorizontalPodAutoscaler" else "keda.sh/v1alpha1"
    return workload(
        kind, f"{target}-scaler", {"scaleTargetRef": {"kind": "Deployment", "name": target}, **counts}, api_version
    )


HAND_WRITTEN = [
    workload("Deployment", "static", {"replicas": 2, **pod_spec("100m", "100Mi")}),
    workload("Deployment", "hpa", {**pod_spec("200m", "200Mi")}),
    scaler("HorizontalPodAutoscaler", "hpa", minReplicas=3, maxReplicas=5),
    workload("Deployment", "keda", {**pod_spec("100m", "1Gi")}),
    scaler("ScaledObject", "keda"),  # KEDA's defaults: 0 to 100
    workload("StatefulSet", "db", {**pod_spec("1", "2Gi")}),  # no replicas: 1
    workload("Deployment", "off", {"replicas": 0, **pod_spec("4", "4Gi")}),
    workload(
        "Cluster",
        "pg",
        {"instances": 3, "resources": {"requests": {"cpu": "250m", "memory": "512Mi"}}},
        "postgresql.cnpg.io/v1",
    ),
    workload("Job", "migrate", {"parallelism": 2, **pod_spec("1", "1Gi")}, "batch/v1"),
    workload("CronJob", "nightly", {"jobTemplate": {"spec": pod_spec("1", "1Gi")}}, "batch/v1"),
    workload("Service", "web", {"ports": []}, "v1"),
]


def test_replicas_come_from_the_autoscaler_and_jobs_stand_apart() -> None:
    found = sizing(HAND_WRITTEN)
    assert [(w.name, w.kind, w.replicas) for w in found.standing] == [
        ("static", "Deployment", "2"),
        ("hpa", "Deployment", "3-5"),
        ("keda", "Deployment", "0-100"),
        ("db", "StatefulSet", "1"),
        ("off", "Deployment", "0"),
        ("pg", "Cluster", "3"),
    ]
    assert [(w.name, w.kind, w.min_pods) for w in found.runs] == [("migrate", "Job", 2), ("nightly", "CronJob", 1)]
    low, high = found.total("min"), found.total("max")
    # static 2 x (100m, 100Mi) + hpa 3 x (200m, 200Mi) + db 1 x (1, 2Gi) + pg 3 x (250m, 512Mi)
    assert (low.pods, low.requests.cpu, low.requests.memory) == (
        9,
        Decimal("2.55"),
        Decimal((200 + 600 + 2048 + 1536) * MI),
    )
    # + 2 more hpa pods, 100 keda pods
    assert (high.pods, high.requests.cpu, high.requests.memory) == (
        111,
        Decimal("12.95"),
        Decimal((200 + 1000 + 100 * 1024 + 2048 + 1536) * MI),
    )
    assert low.limits.unbounded == {"cpu", "memory"}  # the Cluster states requests only
    assert (
        found.summary()
        == "9 pods request 2.55 cpu, 4.28Gi memory (autoscaled up to 111 pods: 12.95 cpu, 104.67Gi memory)"
    )


def test_a_bad_quantity_names_the_workload() -> None:
    with pytest.raises(ValueError, match="Deployment web: '2 cores' is not a Kubernetes quantity"):
        sizing([workload("Deployment", "web", pod_spec("2 cores", "1Gi"))])


@pytest.mark.parametrize(
    ("cores", "text"),
    [("0", "0"), ("0.25", "250m"), ("0.0015", "2m"), ("1", "1"), ("6.75", "6.75"), ("12.955", "12.96")],
)
def test_cpu_reads_in_millicores_below_one_core(cores: str, text: str) -> None:
    assert cpu(Decimal(cores)) == text


@pytest.mark.parametrize(
    ("size", "text"), [(0, "0"), (100 * MI, "100Mi"), (10**9, "953.7Mi"), (GI, "1Gi"), (3 * GI // 2, "1.5Gi")]
)
def test_memory_reads_in_mi_below_one_gi(size: int, text: str) -> None:
    assert memory(Decimal(size)) == text


def test_the_table_aligns_its_columns() -> None:
    table = sizing(HAND_WRITTEN).table()
    lines = table.splitlines()
    cells = re.compile(r"\S+(?: \S+)*")  # columns are two or more spaces apart
    starts = [m.start() for m in cells.finditer(lines[0])]
    assert len(starts) == 7
    names = ("static", "hpa", "keda", "db", "off", "pg", "migrate", "nightly")
    rows = [line for line in lines[1:] if line.startswith(names)]
    assert len(rows) == len(names)
    for row in rows:
        assert [m.start() for m in cells.finditer(row)] == starts, row
    assert "total at minimum scale" in table and "total at maximum scale" in table
    assert "run to completion (not in the totals):" in table
    assert "cpu limits: '+' means some pods set none" in table


def test_the_default_profile_lists_every_workload_once_at_the_values_replicas() -> None:
    values = profile_values("keda-prometheus")
    docs = objects("keda-prometheus")
    found = sizing(docs)
    by_name = {w.name: w for w in found.standing}
    assert len(by_name) == len(found.standing)
    stand = {o["metadata"]["name"] for o in docs if o["kind"] in ("Deployment", "StatefulSet")}
    assert set(by_name) == stand
    assert {w.name for w in found.runs} == {o["metadata"]["name"] for o in docs if o["kind"] in ("Job", "CronJob")}
    reads = values.cost_management.api.reads.autoscaling
    api_reads = by_name[f"{values.release}-api-reads"]
    assert (api_reads.min_pods, api_reads.max_pods) == (reads.min_replicas, reads.max_replicas)
    workers = values.cost_management.workers
    keda = 0
    for queue, pool in workers.all_pools().items():
        row = by_name.get(f"{values.release}-worker-{queue.replace('_', '-')}")
        if row is None:
            continue
        if workers.mode(pool) == "keda":
            keda += 1
            assert (row.min_pods, row.max_pods, row.autoscaled) == (pool.min_replicas, pool.max_replicas, True)
        else:
            assert (row.min_pods, row.max_pods, row.autoscaled) == (pool.replicas, pool.replicas, False)
    assert keda == 12


def test_the_cli_states_the_totals_and_prints_the_table_on_request(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = ros_synth("-o", str(out), "--sizing")
    assert result.returncode == 0, result.stderr
    *table, blank, summary = result.stdout.rstrip("\n").split("\n")
    found = sizing(read_objects(out))
    assert "\n".join(table) == found.table() and blank == ""
    assert summary.startswith("synthesized ") and f"; {found.summary()}; create " in summary
    assert found.total("min").pods > 0


def test_the_readme_table_is_current() -> None:
    readme = (ROOT / "README.md").read_text()
    assert readme.count(BEGIN) == 1 and readme.count(END) == 1
    sizings = {
        name: sizing(o for docs in render(load(files)).values() for o in docs) for name, files in profiles().items()
    }
    expected = replace_block(readme, readme_block(sizings))
    assert readme == expected, "README sizing table is stale: run `make sizing`"


@pytest.mark.parametrize(
    ("profile", "custom"),
    [
        ("openshift", {"ObjectBucketClaim"}),
        ("keda-redis", {"ScaledObject", "TriggerAuthentication"}),
        ("production", {"ScaledObject", "Cluster", "Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser"}),
    ],
)
def test_the_inventory_holds_every_synthesized_object(profile: str, custom: set[str]) -> None:
    """ros-synth counts and sizes its output from the App's inventory; custom resources (ODF's
    ObjectBucketClaims, KEDA, CloudNativePG, Strimzi) are in it too."""
    values = matrix_values("production-kubernetes") if profile == "production" else profile_values(profile)
    synthesized = [obj for docs in render(values).values() for obj in docs]
    made = made_of(values)
    assert custom <= {o["kind"] for o in made}
    assert sorted((o["kind"], o["metadata"]["name"]) for o in made) == sorted(
        (o["kind"], o["metadata"]["name"]) for o in synthesized
    )
    assert sizing(made) == sizing(synthesized)
