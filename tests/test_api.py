"""The Cost Management API tier states its intent: split, routing, read replica, migrations."""

from __future__ import annotations

import re
from typing import Any

from conftest import objects, render

from ros_constructs.values import load


def by_kind_name(docs: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(o["kind"], o["metadata"]["name"]): o for o in docs}


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    (main,) = deployment["spec"]["template"]["spec"]["containers"]
    assert isinstance(main, dict)
    return main


def env(deployment: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container(deployment).get("env", [])}


def synth(*sets: str) -> list[dict[str, Any]]:
    return [o for docs in render(load(sets=sets)).values() for o in docs]


def test_split_mode_has_reads_and_writes_with_their_own_sizes() -> None:
    docs = by_kind_name(objects("default"))
    reads, writes = docs[("Deployment", "cost-onprem-api-reads")], docs[("Deployment", "cost-onprem-api-writes")]
    assert "replicas" not in reads["spec"]  # the HPA owns it
    hpa = docs[("HorizontalPodAutoscaler", "cost-onprem-api-reads")]["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (3, 10)
    assert writes["spec"]["replicas"] == 2
    assert ("HorizontalPodAutoscaler", "cost-onprem-api-writes") not in docs
    for deployment in (reads, writes):
        variables = env(deployment)
        assert variables["GUNICORN_WORKERS"] == "3"
        assert variables["GUNICORN_THREADS"] == "True"
        assert variables["POD_CPU_LIMIT"] == {
            "resourceFieldRef": {"containerName": deployment["metadata"]["name"], "resource": "limits.cpu"}
        }
        assert container(deployment)["resources"]["limits"]["cpu"] == "500m"
        probes = container(deployment)
        assert probes["readinessProbe"]["httpGet"]["path"] == "/api/cost-management/v1/status/"
        assert probes["startupProbe"]["httpGet"]["path"] == "/api/cost-management/v1/status/"


def test_per_deployment_sizes_come_from_values() -> None:
    docs = by_kind_name(
        synth(
            "costManagement.api.writes.replicas=5",
            "costManagement.api.writes.resources.limits.cpu=2",
            "costManagement.api.reads.gunicorn.workers=7",
            "costManagement.api.pathPrefix=/cost",
        )
    )
    writes = docs[("Deployment", "cost-onprem-api-writes")]
    assert writes["spec"]["replicas"] == 5
    assert container(writes)["resources"]["limits"]["cpu"] == "2"
    assert container(writes)["resources"]["requests"] == {"cpu": "250m", "memory": "512Mi"}  # defaults kept
    assert env(docs[("Deployment", "cost-onprem-api-reads")])["GUNICORN_WORKERS"] == "7"
    assert container(writes)["readinessProbe"]["httpGet"]["path"] == "/cost/v1/status/"


def test_nginx_router_splits_methods_and_sends_recommendations_to_ros() -> None:
    docs = by_kind_name(synth("costManagement.api.router.rosApi.service=ros-api"))
    conf = docs[("ConfigMap", "cost-onprem-api-router")]["data"]["nginx.conf"]
    method_map = re.search(r"map \$request_method \$api_upstream \{(.*?)\}", conf, re.S)
    assert method_map is not None
    assert method_map.group(1).split() == ["GET", "api_reads;", "HEAD", "api_reads;", "default", "api_writes;"]
    assert "server cost-onprem-api-reads.cost-onprem.svc:8000;" in conf
    assert "server cost-onprem-api-writes.cost-onprem.svc:8000;" in conf
    assert "server ros-api.cost-onprem.svc:8000;" in conf
    assert "location /api/cost-management/v1/recommendations/ {\n      proxy_pass http://ros_api;" in conf
    router = docs[("Deployment", "cost-onprem-api-router")]
    annotations = router["spec"]["template"]["metadata"]["annotations"]
    assert len(annotations["checksum/config"]) == 64
    service = docs[("Service", "cost-onprem-api-router")]
    assert service["spec"]["ports"] == [{"name": "http", "port": 8000, "targetPort": "http"}]


def test_recommendations_fall_back_to_writes_like_koku() -> None:
    docs = [o for d in render(load(sets=["ros.enabled=false"])).values() for o in d]
    conf = by_kind_name(docs)[("ConfigMap", "cost-onprem-api-router")]["data"]["nginx.conf"]
    assert "upstream ros_api {\n    server cost-onprem-api-writes.cost-onprem.svc:8000;" in conf


def test_router_config_change_rolls_only_the_router() -> None:
    before = by_kind_name(objects("default"))
    after = by_kind_name(synth("costManagement.api.router.rosApi.service=ros-api"))
    for name in ("cost-onprem-api-reads", "cost-onprem-api-writes"):
        assert before[("Deployment", name)] == after[("Deployment", name)]
    key = ("Deployment", "cost-onprem-api-router")
    assert before[key]["spec"]["template"]["metadata"] != after[key]["spec"]["template"]["metadata"]


def test_gateway_api_route_matches_methods() -> None:
    docs = objects("unified-gateway")
    (route,) = [o for o in docs if o["kind"] == "HTTPRoute"]
    assert not [o for o in docs if o["metadata"]["name"] == "cost-onprem-api-router"]
    assert route["spec"]["parentRefs"] == [{"name": "edge", "namespace": "gateways", "sectionName": "https"}]
    rules = [(r["matches"], [b["name"] for b in r["backendRefs"]]) for r in route["spec"]["rules"]]
    assert rules == [
        (
            [{"path": {"type": "PathPrefix", "value": "/api/cost-management/v1/recommendations/"}}],
            ["cost-onprem-ros-api"],
        ),
        (
            [
                {"method": "GET", "path": {"type": "PathPrefix", "value": "/api/cost-management"}},
                {"method": "HEAD", "path": {"type": "PathPrefix", "value": "/api/cost-management"}},
            ],
            ["cost-onprem-api"],
        ),
        ([{"path": {"type": "PathPrefix", "value": "/api/cost-management"}}], ["cost-onprem-api"]),
    ]


def test_unified_mode_runs_one_api_deployment() -> None:
    api_tier = [
        o
        for o in objects("unified-gateway")
        if o["kind"] == "Deployment" and o["metadata"]["labels"]["app.kubernetes.io/component"].startswith("api")
    ]
    assert [o["metadata"]["name"] for o in api_tier] == ["cost-onprem-api"]
    (api,) = api_tier
    assert "USE_READREPLICA" not in env(api)


def test_read_replica_reaches_reads_only() -> None:
    """Koku has one database alias outside Clowder: api-reads' whole connection moves to the
    CloudNativePG -ro Service (over envFrom's primary host); api-writes stays on -rw."""
    docs = by_kind_name(objects("read-replica"))
    reads, writes = docs[("Deployment", "cost-onprem-api-reads")], docs[("Deployment", "cost-onprem-api-writes")]
    assert env(reads)["POSTGRES_SQL_SERVICE_HOST"] == "cost-onprem-database-ro.cost-onprem.svc"
    assert "POSTGRES_SQL_SERVICE_HOST" not in env(writes)
    shared = docs[("ConfigMap", "cost-onprem-koku-env")]["data"]
    assert shared["POSTGRES_SQL_SERVICE_HOST"] == "cost-onprem-database-rw.cost-onprem.svc"
    assert shared["PGSSLMODE"] == "verify-ca"
    assert all(v["name"] != "read-replica" for v in writes["spec"]["template"]["spec"]["volumes"])


def is_migration(obj: dict[str, Any]) -> bool:
    return bool(obj["metadata"]["labels"]["app.kubernetes.io/component"] == "db-migrate")


def test_migrations_job_runs_once_per_image() -> None:
    def job_names(*sets: str) -> list[str]:
        return [o["metadata"]["name"] for o in synth(*sets) if o["kind"] == "Job" and is_migration(o)]

    (first,) = job_names()
    assert re.fullmatch(r"cost-onprem-db-migrate-[0-9a-f]{10}", first)
    assert job_names() == [first]  # re-applying the same release is a no-op
    assert job_names("images.koku.tag=other") != [first]
    assert job_names("costManagement.runtime.schemaSuffix=_x") != [first]  # any template change: a new Job
    assert job_names("costManagement.api.migrations.enabled=false") == []
    (job,) = [o for o in objects("default") if o["kind"] == "Job" and is_migration(o)]
    pod = job["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    assert pod["containers"][0]["command"] == ["/bin/bash", "-c", 'exec "$APP_ROOT/scripts/run_migrations.sh"']
    api = [
        o
        for o in objects("default")
        if o["kind"] == "Deployment" and o["metadata"]["labels"]["app.kubernetes.io/name"] == "koku"
    ]
    assert all("initContainers" not in o["spec"]["template"]["spec"] for o in api)
