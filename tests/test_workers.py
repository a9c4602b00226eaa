"""Celery worker pools, beat and the other Koku services state their intent."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import container_env, objects, profile_values, render

from ros_constructs.values import KOKU_QUEUES, ValuesError, load, parse


def by_component(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["labels"]["app.kubernetes.io/component"]: o for o in docs if o["kind"] == kind}


def workers(profile: str) -> dict[str, dict[str, Any]]:
    return {c: o for c, o in by_component(objects(profile), "Deployment").items() if c.startswith("worker-")}


def main_container(obj: dict[str, Any]) -> dict[str, Any]:
    container: dict[str, Any] = obj["spec"]["template"]["spec"]["containers"][0]
    return container


def env(obj: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in main_container(obj)["env"]}


def test_default_fleet_is_koku_s_22_queues_with_koku_sizes() -> None:
    fleet = workers("default")
    assert sorted(fleet) == sorted(f"worker-{q.replace('_', '-')}" for q in KOKU_QUEUES)
    assert len(fleet) == 22
    download = main_container(fleet["worker-download"])["resources"]
    assert download == {"limits": {"cpu": "400m", "memory": "1Gi"}, "requests": {"cpu": "200m", "memory": "512Mi"}}
    assert fleet["worker-priority-xl"]["spec"]["replicas"] == 2
    assert main_container(fleet["worker-priority-xl"])["resources"]["requests"]["cpu"] == "150m"
    assert fleet["worker-subs-extraction"]["spec"]["replicas"] == 1  # Koku's is 0, but it receives tasks
    assert fleet["worker-subs-transmission"]["spec"]["replicas"] == 0
    assert fleet["worker-celery"]["metadata"]["name"] == "cost-onprem-worker-celery"


@pytest.mark.parametrize("profile", ["default", "openshift", "keda-prometheus", "keda-redis"])
def test_every_pool_consumes_its_queue_first(profile: str) -> None:
    for component, deployment in workers(profile).items():
        queue, *also = env(deployment)["WORKER_QUEUES"].split(",")
        assert component == f"worker-{queue.replace('_', '-')}"
        assert also == (["hcs"] if (profile, queue) == ("keda-redis", "celery") else [])
        (command,) = [c for c in main_container(deployment)["command"] if "celery" in c]
        assert '-Q "$WORKER_QUEUES"' in command and "exec celery -A koku worker" in command
        assert ("--without-gossip" in command) == (queue != "celery")
        mounts = {m["mountPath"] for m in main_container(deployment)["volumeMounts"]}
        assert "/var/tmp/masu" in mounts
        probes = main_container(deployment)
        assert (probes["livenessProbe"]["httpGet"]["path"], probes["readinessProbe"]["httpGet"]["path"]) == (
            "/livez",
            "/readyz",
        )
        assert probes["livenessProbe"]["httpGet"]["port"] == "metrics"


@pytest.mark.parametrize("profile", ["default", "keda-redis"])
def test_grace_period_covers_the_longest_task(profile: str) -> None:
    pools = profile_values(profile).cost_management.workers
    for queue, pool in pools.all_pools().items():
        deployment = workers(profile).get(f"worker-{queue.replace('_', '-')}")
        if deployment:
            grace = deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
            assert grace >= pool.max_task_seconds
    assert workers("keda-redis")["worker-download"]["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] == 7260


def test_keda_prometheus_scales_koku_s_twelve_pools() -> None:
    docs = objects("keda-prometheus")
    scaled = by_component(docs, "ScaledObject")
    assert sorted(scaled) == sorted(
        f"worker-{f}{s}" for f in ("cost-model", "download", "ocp", "summary") for s in ("", "-xl", "-penalty")
    )
    fleet = workers("keda-prometheus")
    for component, obj in scaled.items():
        spec = obj["spec"]
        assert "replicas" not in fleet[component]["spec"]
        assert (spec["minReplicaCount"], spec["maxReplicaCount"], spec["fallback"]["replicas"]) == (1, 10, 3)
        (trigger,) = spec["triggers"]
        queue = env(fleet[component])["WORKER_QUEUES"]
        assert trigger["metadata"]["query"] == f'koku:celery:{queue}_queue{{namespace="cost-onprem"}}'
        assert trigger["metadata"]["threshold"] == ("19.5" if queue.startswith("download") else "13.5")
    assert fleet["worker-priority"]["spec"]["replicas"] == 2
    assert not [o for o in docs if o["kind"] == "HorizontalPodAutoscaler" and "worker" in o["metadata"]["name"]]
    (rule,) = [o for o in docs if o["kind"] == "PrometheusRule" and o["metadata"]["name"] == "cost-onprem-celery"]
    records = {r["record"] for g in rule["spec"]["groups"] for r in g["rules"] if "record" in r}
    assert {f"koku:celery:{q}_queue" for q in KOKU_QUEUES} <= records


def test_keda_redis_uses_list_lengths_and_a_trigger_authentication() -> None:
    docs = objects("keda-redis")
    scaled = by_component(docs, "ScaledObject")
    trigger = scaled["worker-download"]["spec"]["triggers"][0]
    assert trigger["type"] == "redis"
    assert trigger["metadata"] == {
        "address": "cost-onprem-redis.cost-onprem.svc:6379",
        "databaseIndex": "1",
        "listLength": "40",
        "listName": "download",
    }
    (auth,) = [o for o in docs if o["kind"] == "TriggerAuthentication"]
    assert trigger["authenticationRef"]["name"] == auth["metadata"]["name"]
    assert auth["spec"]["secretTargetRef"] == [  # the workers' password and CA, from the same connection
        {"key": "password", "name": "valkey-auth", "parameter": "password"},
        {"key": "ca.crt", "name": "redis-tls", "parameter": "ca"},
    ]
    tls = auth["spec"]["configMapTargetRef"][0]
    switch = next(o for o in docs if o["kind"] == "ConfigMap" and o["metadata"]["name"] == tls["name"])
    assert tls["parameter"] == "tls" and switch["data"] == {"tls": "enable"}
    fleet = workers("keda-redis")
    assert "worker-hcs" not in fleet
    assert "replicas" not in fleet["worker-priority"]["spec"]
    hpas = by_component(docs, "HorizontalPodAutoscaler")
    assert (hpas["worker-priority"]["spec"]["minReplicas"], hpas["worker-priority"]["spec"]["maxReplicas"]) == (2, 6)
    extra = fleet["worker-reports-export"]
    assert env(extra)["WORKER_QUEUES"] == "reports_export" and env(extra)["EXPORT_FORMAT"] == "parquet"


def test_fleet_hpa_respects_each_pool_s_replicas() -> None:
    docs = [o for d in render(load(sets=["costManagement.workers.autoscaling=hpa"])).values() for o in d]
    hpas = by_component(docs, "HorizontalPodAutoscaler")
    assert hpas["worker-priority"]["spec"]["minReplicas"] == 2
    assert "worker-subs-transmission" not in hpas  # a pool at 0 replicas is off, not autoscaled
    assert by_component(docs, "Deployment")["worker-subs-transmission"]["spec"]["replicas"] == 0


def test_backlog_alerts_per_consumed_queue() -> None:
    (rule,) = [
        o
        for o in objects("keda-redis")
        if o["kind"] == "PrometheusRule" and o["metadata"]["name"] == "cost-onprem-celery"
    ]
    alerts = {r["alert"]: r for g in rule["spec"]["groups"] for r in g["rules"] if "alert" in r}
    queues = {q for deployment in workers("keda-redis").values() for q in env(deployment)["WORKER_QUEUES"].split(",")}
    assert len(alerts) == 2 * len(queues)
    assert 'deployment="cost-onprem-worker-celery"' in alerts["KokuCeleryNoConsumerHcs"]["expr"]  # hcs' pool is off
    assert alerts["KokuCeleryBacklogDownload"]["expr"] == 'koku:celery:download_queue{namespace="cost-onprem"} > 100'
    assert alerts["KokuCeleryBacklogDownload"]["for"] == "30m"
    assert 'deployment="cost-onprem-worker-download"' in alerts["KokuCeleryNoConsumerDownload"]["expr"]
    assert not [o for o in objects("default") if o["kind"] == "PrometheusRule"]


@pytest.mark.parametrize("profile", ["default", "openshift", "keda-prometheus", "keda-redis"])
def test_beat_is_a_singleton_that_never_overlaps(profile: str) -> None:
    deployments = by_component(objects(profile), "Deployment")
    beat = deployments["celery-beat"]
    assert beat["metadata"]["name"] == "cost-onprem-celery-beat"
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    assert "celery-beat" not in by_component(objects(profile), "PodDisruptionBudget")
    container = main_container(beat)
    assert "exec celery -A koku beat" in container["command"][-1]
    assert container["livenessProbe"]["exec"]["command"][0] == "python"
    resolved = container_env(beat, objects(profile))
    assert resolved["SCHEDULE_REPORT_CHECKS"] == "False"
    assert resolved["REMOVE_EXPIRED_REPORT_DATA_ON_DAY"] == "1"


def test_beat_refuses_a_second_replica() -> None:
    with pytest.raises(ValuesError, match=r"costManagement.beat.replicas: 2 is greater than 1"):
        parse({"costManagement": {"beat": {"replicas": 2}}})


def test_koku_services_match_koku() -> None:
    deployments = by_component(objects("default"), "Deployment")
    listener = deployments["listener"]
    assert listener["spec"]["replicas"] == 2
    assert main_container(listener)["command"] == ["python", "koku/manage.py", "listener"]
    masu = deployments["masu"]
    assert env(masu)["MASU"] == "true"
    probe = main_container(masu)["livenessProbe"]["httpGet"]
    assert (probe["path"], probe["port"]) == ("/api/cost-management/v1/status/?liveness", "private")
    assert not {"sources-listener", "sources-client"} & set(deployments), "the SaaS Sources API's clients"
    docs = [o for d in render(load(sets=["costManagement.services.masu.enabled=false"])).values() for o in d]
    assert "masu" not in by_component(docs, "Deployment")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"pools": {"dowload": {"replicas": 2}}},
            "costManagement.workers.pools.dowload: 'dowload' is not one of Koku's queues (did you mean 'download'?)",
        ),
        ({"extraPools": {"Bad Queue": {}}}, "extraPools.Bad Queue: 'Bad Queue' is not a valid queue name"),
        (
            {"extraPools": {"my-queue": {}}},
            "'my-queue' is not a valid queue name (^[a-z0-9]([a-z0-9_]*[a-z0-9])?$) (did you mean 'my_queue'?)",
        ),
        ({"extraPools": {"download": {}}}, "extraPools.download: 'download' is Koku's queue; configure it under pools"),
        ({"pools": {"ocp": {"maxReplicas": 2}}}, "fallbackReplicas 3 is above maxReplicas 2"),
        (
            {"pools": {"ocp": {"maxTaskSeconds": 4000, "terminationGracePeriodSeconds": 3600}}},
            "terminationGracePeriodSeconds 3600 is below maxTaskSeconds 4000",
        ),
        ({"autoscaling": "cron"}, "costManagement.workers.autoscaling: 'cron' is not one of"),
        ({"pools": {"ocp": {"replicas": -3}}}, "costManagement.workers.pools.ocp.replicas: -3 is less than 0"),
    ],
)
def test_worker_values_errors(data: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValuesError) as caught:
        parse({"costManagement": {"workers": data}})
    assert any(expected in p for p in caught.value.problems), caught.value.problems


def test_queue_names_bound_the_release_length() -> None:
    with pytest.raises(ValuesError, match="too long"):
        parse({"release": "r" * 40, "costManagement": {"workers": {"extraPools": {"q" * 10: {}}}}})
