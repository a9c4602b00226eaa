"""Sized profiles, pools over several queues, and the values errors that keep queues consumed."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import container_env, pod_templates, render

from ros_constructs.values import Values, ValuesError, load
from ros_constructs.values.base import cpu_cores, memory_bytes
from ros_constructs.values.model import receivable_queues
from ros_constructs.values.profiles import PROFILES

DEV_NODE_CPU = Decimal(4)
DEV_NODE_MEMORY = Decimal(8 * 2**30)
"""The KIND node dev.yaml states it fits: 4 CPU / 8 GiB allocatable."""


def sized(name: str, *sets: str) -> Values:
    return load(sets=[f"profile={name}", *sets])


def docs_of(values: Values) -> list[dict[str, Any]]:
    return [obj for docs in render(values).values() for obj in docs]


def consumed_queues(docs: list[dict[str, Any]]) -> set[str]:
    """Queues some worker Deployment with pods (or a ScaledObject) consumes, read from the rendered output."""
    scaled = {o["spec"]["scaleTargetRef"]["name"] for o in docs if o["kind"] == "ScaledObject"}
    found: set[str] = set()
    for obj in docs:
        if obj["kind"] != "Deployment" or obj["metadata"]["labels"]["app.kubernetes.io/component"] == "celery-beat":
            continue
        queues = container_env(obj, docs).get("WORKER_QUEUES")
        running = obj["spec"].get("replicas", 1) > 0 or obj["metadata"]["name"] in scaled
        if isinstance(queues, str) and running:
            found |= set(queues.split(","))
    return found


@pytest.mark.parametrize("name", PROFILES)
def test_every_receivable_queue_has_a_rendered_consumer(name: str) -> None:
    values = sized(name)
    assert values.profile == name
    assert set(receivable_queues(values)) <= consumed_queues(docs_of(values))


def test_the_default_consumes_subs_extraction_but_not_subs_transmission() -> None:
    consumed = consumed_queues(docs_of(Values()))
    assert "subs_extraction" in consumed and "subs_transmission" not in consumed
    debug = "costManagement.featureFlags.enableSubsDebug=true"
    with pytest.raises(ValuesError, match="subs_transmission can receive tasks"):
        load(sets=[debug])
    running = load(sets=[debug, "costManagement.workers.pools.subs_transmission.replicas=1"])
    assert "subs_transmission" in receivable_queues(running)


def test_dev_fits_one_kind_node_with_every_component_on() -> None:
    docs = docs_of(sized("dev"))
    cpu, memory = Decimal(0), Decimal(0)
    for obj_name, template in pod_templates(docs):
        owner = next(o for o in docs if o["metadata"]["name"] == obj_name and o["kind"] != "ConfigMap")
        replicas = owner["spec"].get("replicas", 1) if owner["kind"] in ("Deployment", "StatefulSet") else 1
        for container in [*template["spec"]["containers"], *template["spec"].get("initContainers", [])]:
            requests = container["resources"]["requests"]
            cpu += replicas * cpu_cores(requests["cpu"])
            memory += replicas * memory_bytes(requests["memory"])
    assert cpu <= DEV_NODE_CPU and memory <= DEV_NODE_MEMORY, (cpu, memory / 2**30)
    components = {o["metadata"]["labels"]["app.kubernetes.io/component"] for o in docs if o["kind"] == "Deployment"}
    assert {"api-reads", "api-writes", "celery-beat", "listener", "masu", "ingress"} <= components
    assert {"rosocp-api", "rosocp-processor", "rosocp-housekeeper", "kruize"} <= components
    assert {o["kind"] for o in docs} >= {"StatefulSet"}  # database, MinIO
    workers = sorted(c for c in components if c.startswith("worker-"))
    assert workers == ["worker-celery", "worker-download", "worker-summary"]


def test_a_pool_over_several_families_gets_their_env_union_in_its_own_config_map() -> None:
    docs = docs_of(sized("dev"))
    (download,) = [
        o for o in docs if o["kind"] == "Deployment" and o["metadata"]["name"] == "cost-onprem-worker-download"
    ]
    env = container_env(download, docs)
    assert env["WORKER_QUEUES"] == "download,download_xl,download_penalty,ocp,ocp_xl,ocp_penalty"
    assert "PANDAS_COLUMN_BATCH_SIZE" in env  # download's
    assert "TAG_ENABLED_LIMIT" in env  # download's and ocp's
    refs = [s["configMapRef"]["name"] for s in download["spec"]["template"]["spec"]["containers"][0]["envFrom"]]
    assert refs == ["cost-onprem-koku-env", "cost-onprem-worker-download-pool-env"]


def test_keda_scales_a_multi_queue_pool_on_all_its_queues() -> None:
    pools = "costManagement.workers.pools"
    prometheus = docs_of(
        load(sets=["costManagement.workers.autoscaling=keda", f"{pools}.ocp.alsoConsumes=[ocp_xl, ocp_penalty]"])
    )
    (scaled,) = [o for o in prometheus if o["kind"] == "ScaledObject" and o["metadata"]["name"].endswith("-ocp")]
    (trigger,) = scaled["spec"]["triggers"]
    assert trigger["metadata"]["query"] == (
        'sum({__name__=~"koku:celery:(ocp|ocp_xl|ocp_penalty)_queue", namespace="cost-onprem"})'
    )
    (rule,) = [o for o in prometheus if o["kind"] == "PrometheusRule" and o["metadata"]["name"] == "cost-onprem-celery"]
    alerts = {r["alert"]: r for g in rule["spec"]["groups"] for r in g["rules"] if "alert" in r}
    # ocp_xl has its own pool and the ocp pool: "no consumer" only when neither has a pod
    assert (
        'deployment=~"cost-onprem-worker-ocp|cost-onprem-worker-ocp-xl"' in alerts["KokuCeleryNoConsumerOcpXl"]["expr"]
    )
    redis = docs_of(
        load(
            sets=[
                "costManagement.workers.autoscaling=keda",
                "costManagement.workers.keda.trigger=redis",
                f"{pools}.ocp.alsoConsumes=[ocp_xl]",
            ]
        )
    )
    (scaled,) = [o for o in redis if o["kind"] == "ScaledObject" and o["metadata"]["name"].endswith("-ocp")]
    assert [t["metadata"]["listName"] for t in scaled["spec"]["triggers"]] == ["ocp", "ocp_xl"]


def test_user_values_win_over_the_profile(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text("profile: large\nros: {processor: {replicas: 7}}\n")
    values = load([site])
    assert values.ros.processor.replicas == 7  # the user's
    assert values.ros.kruize.resources.requests.memory == "2Gi"  # the profile's
    assert load([site], ["profile=small"]).ros.kruize.resources.requests.memory == "1Gi"  # --set names another
    assert load().profile is None and load() == Values()


@pytest.mark.parametrize(
    ("sets", "problem"),
    [
        (
            ["costManagement.workers.pools.ocp_xl.enabled=false"],
            "costManagement.workers.pools.ocp_xl: queue ocp_xl can receive tasks but no pool consumes it: enable its "
            "pool (enabled true, replicas above 0 or autoscaling keda) or add ocp_xl to another pool's alsoConsumes",
        ),
        (
            ["costManagement.api.reads.replicas=5"],
            "costManagement.api.reads.replicas: 5 is ignored while autoscaling is on (the HPA owns replicas); set "
            "costManagement.api.reads.autoscaling.minReplicas, or turn autoscaling off",
        ),
        (
            ["ros.api.autoscaling.enabled=true", "ros.api.replicas=4"],
            "ros.api.replicas: 4 is ignored while autoscaling is on",
        ),
        (
            ["costManagement.workers.autoscaling=keda", "costManagement.workers.pools.ocp.replicas=3"],
            "costManagement.workers.pools.ocp.replicas: 3 is ignored while the pool scales with KEDA",
        ),
        (
            ["costManagement.workers.pools.download-xl.replicas=2"],
            "costManagement.workers.pools.download-xl: 'download-xl' is not one of Koku's queues "
            "(did you mean 'download_xl'?)",
        ),
        (
            ["costManagement.workers.pools.ocp.alsoConsumes=[ocp-penalty]"],
            "costManagement.workers.pools.ocp.alsoConsumes: 'ocp-penalty' is not a known queue "
            "(did you mean 'ocp_penalty'?)",
        ),
        (
            ["costManagement.workers.extraPools.reports-export.replicas=1"],
            "costManagement.workers.extraPools.reports-export: 'reports-export' is not a valid queue name",
        ),
        (["profile=huge"], "profile: 'huge' is not a profile; the profiles are ['dev', 'small', 'medium', 'large']"),
    ],
)
def test_values_errors_name_the_key_and_the_fix(sets: list[str], problem: str) -> None:
    with pytest.raises(ValuesError) as err:
        load(sets=sets)
    assert [p for p in err.value.problems if p.startswith(problem)], err.value.problems


def test_replicas_next_to_an_autoscaler_are_fine_when_they_mean_something() -> None:
    assert load(sets=["costManagement.api.reads.autoscaling.enabled=false", "costManagement.api.reads.replicas=5"])
    hpa = "costManagement.workers.pools.priority"
    assert load(sets=[f"{hpa}.autoscaling=hpa", f"{hpa}.replicas=3"])  # the HPA's floor


def test_cli_rejects_a_stranded_queue_with_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    result = subprocess.run(
        [
            *(sys.executable, "-m", "ros_constructs.tools.cli", "-o", str(out), "--profile", "small"),
            *("--set", "costManagement.workers.pools.ocp.alsoConsumes=[]"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "costManagement.workers.pools.ocp_xl: queue ocp_xl can receive tasks" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()


def test_a_problem_in_a_key_the_profile_set_names_the_profile(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text("profile: small\ncostManagement: {workers: {autoscaling: keda}}\n")
    with pytest.raises(ValuesError) as err:
        load([site])
    (problem,) = err.value.problems
    assert problem.startswith("costManagement.workers.pools.ocp.replicas: 2 is ignored while the pool scales with KEDA")
    assert problem.endswith("profile small)")
