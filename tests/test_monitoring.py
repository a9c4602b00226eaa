"""Monitoring: one ServiceMonitor per metrics Service, CRs valid against the upstream CRDs, rules
promtool accepts and whose alerts fire as ``tests/promtool`` expects, a runbook section for
every alert, and a dashboard that queries only series something defines."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import cdk8s
import pytest
import yaml
from conftest import PROFILES_DIR, profile_values, render
from policies import custom_resource_errors, is_builtin

from ros_constructs.app import build_app, new_release
from ros_constructs.core.inventory import ScrapeTarget
from ros_constructs.core.tree import inventory
from ros_constructs.values import KOKU_QUEUES, Values, load

Obj = dict[str, Any]
ROOT = Path(__file__).resolve().parent.parent
PROMTOOL_TESTS = Path(__file__).parent / "promtool"
RUNBOOKS = ROOT / "docs" / "runbooks.md"
DEFAULT_RUNBOOKS = "https://github.com/insights-onprem/ros-constructs/blob/main/docs/runbooks.md"

CASES: dict[str, list[str]] = {
    "default-monitoring-on": ["monitoring.enabled=true"],
    "openshift": ["platform=openshift"],
}
"""Values (as --set lines) besides the profiles that turn monitoring on."""


def case_values(case: str) -> Values:
    return load(sets=CASES[case]) if case in CASES else profile_values(case)


_BUILT: dict[str, tuple[list[Obj], list[ScrapeTarget]]] = {}


def built(case: str) -> tuple[list[Obj], list[ScrapeTarget]]:
    """The objects of ``case`` and the scrape targets its App recorded."""
    if case not in _BUILT:
        app = build_app(new_release(case_values(case)))
        docs = [o for chart in app.charts for o in cdk8s.Testing.synth(chart)]
        _BUILT[case] = docs, inventory(app).scrape_targets
    return _BUILT[case]


def objects(values: Values) -> list[Obj]:
    return [o for chart in render(values).values() for o in chart]


def of_kind(docs: list[Obj], kind: str) -> list[Obj]:
    return [o for o in docs if o["kind"] == kind]


def rule_groups(docs: list[Obj]) -> list[Obj]:
    return [group for rule in of_kind(docs, "PrometheusRule") for group in rule["spec"]["groups"]]


def alerts(docs: list[Obj]) -> list[Obj]:
    return [r for group in rule_groups(docs) for r in group["rules"] if "alert" in r]


# --- ServiceMonitors ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["default-monitoring-on", "openshift", "keda-prometheus"])
def test_every_scrape_target_has_exactly_one_service_monitor(case: str) -> None:
    docs, targets = built(case)
    services = {s["metadata"]["name"]: s for s in of_kind(docs, "Service")}
    monitors = of_kind(docs, "ServiceMonitor")

    def selecting(service: Obj) -> list[Obj]:
        labels = service["metadata"]["labels"].items()
        return [m for m in monitors if m["spec"]["selector"]["matchLabels"].items() <= labels]

    assert targets
    for target in targets:
        assert target.service, f"{target.workload}: port {target.port} is on no Service"
        service = services[target.service]
        assert target.port in [p["name"] for p in service["spec"]["ports"]]
        (monitor,) = selecting(service)
        endpoints = [(e["port"], e["path"]) for e in monitor["spec"]["endpoints"]]
        assert (target.port, target.path) in endpoints
    for monitor in monitors:  # each selects one Service, and only ports that serve metrics
        (service,) = [s for s in services.values() if monitor in selecting(s)]
        served = {t.port for t in targets if t.service == service["metadata"]["name"]}
        assert {e["port"] for e in monitor["spec"]["endpoints"]} == served
    metrics_services = {n for n, s in services.items() if "metrics" in [p["name"] for p in s["spec"]["ports"]]}
    assert metrics_services <= {t.service for t in targets}


@pytest.mark.parametrize("scraped", [False, True])
def test_kruize_is_scraped_on_its_api_port_only_when_asked(scraped: bool) -> None:
    """Kruize serves /metrics on its unauthenticated API port: scraping it admits Prometheus'
    namespace to the whole API, so it is off unless monitoring.serviceMonitors.kruize is set."""
    docs = objects(load(sets=["platform=openshift", f"monitoring.serviceMonitors.kruize={str(scraped).lower()}"]))
    monitors = [m for m in of_kind(docs, "ServiceMonitor") if m["metadata"]["name"] == "cost-onprem-kruize"]
    (policy,) = [p for p in of_kind(docs, "NetworkPolicy") if p["metadata"]["name"] == "cost-onprem-kruize"]
    prometheus = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "openshift-user-workload-monitoring"}}
    }
    admitted = [rule for rule in policy["spec"]["ingress"] if prometheus in rule["from"]]
    if not scraped:
        assert monitors == [] and admitted == []
        return
    assert [m["spec"]["endpoints"] for m in monitors] == [[{"interval": "60s", "path": "/metrics", "port": "http"}]]
    assert [rule["ports"] for rule in admitted] == [[{"port": "http"}]]


def test_switches_turn_monitoring_objects_off() -> None:
    operator_kinds = {"ServiceMonitor", "PrometheusRule"}
    default = objects(load())
    assert not {o["kind"] for o in default} & operator_kinds
    assert not [o for o in default if o["metadata"]["name"] == "cost-onprem-grafana-dashboard"]
    no_monitors = objects(load(sets=["platform=openshift", "monitoring.serviceMonitors.enabled=false"]))
    assert not of_kind(no_monitors, "ServiceMonitor") and of_kind(no_monitors, "PrometheusRule")
    services = {s["metadata"]["name"] for s in of_kind(no_monitors, "Service")}
    assert not {"cost-onprem-worker-download", "cost-onprem-listener"} & services
    off = objects(load(sets=["platform=openshift", "monitoring.enabled=false"]))
    assert not {o["kind"] for o in off} & operator_kinds
    # KEDA's Prometheus trigger keeps its recording rules whatever monitoring says.
    keda = objects(load([PROFILES_DIR / "keda-prometheus.yaml"], ["monitoring.enabled=false"]))
    assert not of_kind(keda, "ServiceMonitor")
    assert [g["name"] for g in rule_groups(keda)] == ["koku-celery-queues.rules", "koku-celery-queues.alerts"]


def test_extra_labels_reach_every_operator_object() -> None:
    docs = objects(profile_values("keda-prometheus"))
    for obj in of_kind(docs, "ServiceMonitor") + of_kind(docs, "PrometheusRule"):
        assert obj["metadata"]["labels"]["release"] == "kube-prometheus-stack", obj["metadata"]["name"]


@pytest.mark.parametrize("case", ["default-monitoring-on", "keda-prometheus"])
def test_custom_resources_validate_against_the_crds(case: str, shared_dir: Path) -> None:
    docs = [o for o in objects(case_values(case)) if not is_builtin(o)]
    assert {"ServiceMonitor", "PrometheusRule"} <= {o["kind"] for o in docs}
    assert {o["metadata"]["name"]: e for o in docs if (e := custom_resource_errors(o, shared_dir / "crds"))} == {}


# --- rules: promtool ---------------------------------------------------------------------------


def promtool() -> str:
    found = shutil.which("promtool")
    if not found:
        pytest.skip("promtool not installed: apt-get install prometheus")
    return found


def write_rules(docs: list[Obj], directory: Path) -> Path:
    path = directory / "rules.yaml"
    path.write_text(yaml.safe_dump({"groups": rule_groups(docs)}, sort_keys=False))
    return path


@pytest.mark.parametrize("case", ["default-monitoring-on", "keda-prometheus"])
def test_promtool_checks_the_rules(case: str, tmp_path: Path) -> None:
    tool = promtool()
    rules = write_rules(objects(case_values(case)), tmp_path)
    result = subprocess.run([tool, "check", "rules", str(rules)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("family", sorted(p.stem for p in PROMTOOL_TESTS.glob("*.yaml")))
def test_promtool_unit_tests_per_alert_family(family: str, tmp_path: Path) -> None:
    tool = promtool()
    write_rules(objects(case_values("default-monitoring-on")), tmp_path)
    shutil.copy(PROMTOOL_TESTS / f"{family}.yaml", tmp_path)
    result = subprocess.run([tool, "test", "rules", f"{family}.yaml"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_family_and_runbook_section_has_a_firing_promtool_case() -> None:
    docs = objects(case_values("default-monitoring-on"))
    families = {g["name"].removesuffix(".alerts") for g in rule_groups(docs) if g["name"].endswith(".alerts")}
    assert families == {p.stem for p in PROMTOOL_TESTS.glob("*.yaml")}
    section = {a["alert"]: a["annotations"]["runbook_url"] for a in alerts(docs)}
    fired = {
        case["alertname"]
        for path in PROMTOOL_TESTS.glob("*.yaml")
        for test in yaml.safe_load(path.read_text())["tests"]
        for case in test["alert_rule_test"]
        if case.get("exp_alerts")
    }
    assert {section[name] for name in fired} == set(section.values())


# --- runbooks ----------------------------------------------------------------------------------


def test_every_alert_links_to_its_runbook_section_and_every_section_has_an_alert() -> None:
    headings = re.findall(r"^### (\w+)$", RUNBOOKS.read_text(), re.M)
    docs = objects(profile_values("keda-prometheus"))  # every family: KEDA's queues, Koku, ROS, availability
    urls = {a["alert"]: a["annotations"]["runbook_url"] for a in alerts(docs)}
    anchors = {name: url.removeprefix(f"{DEFAULT_RUNBOOKS}#") for name, url in urls.items()}
    assert all(url.startswith(f"{DEFAULT_RUNBOOKS}#") for url in urls.values())
    assert set(anchors.values()) == {h.lower() for h in headings}
    assert len(headings) == len(set(headings))
    for rule in alerts(docs):
        assert rule["labels"]["severity"] in ("critical", "warning", "info")
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]


# --- the dashboard ------------------------------------------------------------------------------

PROMQL_WORDS = {
    "and", "or", "unless", "on", "by", "without", "ignoring", "bool", "sum", "max", "rate", "increase",
    "max_over_time", "histogram_quantile", "vector",
}  # fmt: skip
KNOWN_SERIES = {
    "up",  # Prometheus, per target
    # kube-state-metrics (kubernetes/kube-state-metrics docs/*-metrics.md)
    "kube_deployment_status_replicas_available",
    "kube_deployment_spec_replicas",
    "kube_statefulset_status_replicas_ready",
    "kube_statefulset_replicas",
    "kube_pod_container_status_waiting_reason",
    "kube_job_failed",
    # the kubelet's cAdvisor
    "container_cpu_usage_seconds_total",
    "container_memory_working_set_bytes",
    # Koku: django-prometheus' middleware (koku/koku/settings.py), collected by koku/koku/probe_server.py
    "django_http_responses_total_by_status_total",
    "django_http_requests_latency_seconds_by_view_method_bucket",
    # Koku: koku/masu/prometheus_stats.py (Counters gain _total; QUEUES' gauges)
    "report_file_download_error_count_total",
    "kafka_connection_errors_total",
    "default_backlog",
    *(f"{queue}_backlog" for queue in KOKU_QUEUES if queue != "celery"),
    # ros-ocp-backend: internal/api/server.go (echoprometheus, subsystem rosocp),
    # internal/utils/kruize/metrics.go, internal/services/metrics.go, internal/utils/metrics.go
    "rosocp_requests_total",
    "rosocp_kruize_api_exception_total",
    "rosocp_invalid_csv_total",
    "rosocp_invalid_datapoints_total",
}


def series_names(expr: str) -> set[str]:
    """The metric and recording rule names a PromQL expression reads."""
    expr = re.sub(r'"[^"]*"', "", expr)
    expr = re.sub(r"\{[^}]*\}|\[[^\]]*\]", "", expr)
    expr = re.sub(r"\b(by|on|without|ignoring)\s*\([^)]*\)", "", expr)
    return set(re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", expr)) - PROMQL_WORDS


def test_series_names_are_read_from_promql() -> None:
    expr = 'sum by (job, le) (rate(a_bucket{job=~"x|y"}[5m])) / on (job) b:rec > 0.5 and up{x="rate(z)"}'
    assert series_names(expr) == {"a_bucket", "b:rec", "up"}


@pytest.mark.parametrize("case", ["default-monitoring-on", "openshift", "keda-prometheus"])
def test_dashboard_and_rules_query_only_defined_series(case: str) -> None:
    docs = objects(case_values(case))
    recorded = {r["record"] for group in rule_groups(docs) for r in group["rules"] if "record" in r}
    (config_map,) = [c for c in of_kind(docs, "ConfigMap") if c["metadata"]["name"] == "cost-onprem-grafana-dashboard"]
    assert config_map["metadata"]["labels"]["grafana_dashboard"] == "1"
    (model,) = [json.loads(text) for text in config_map["data"].values()]
    queries = [t["expr"] for p in model["panels"] for t in p.get("targets", [])]
    assert {p["title"] for p in model["panels"] if p["type"] == "row"} == {"API tier", "Queues", "ROS processing"}
    assert [p["id"] for p in model["panels"]] == list(range(1, len(model["panels"]) + 1))
    rules = [r["expr"] for group in rule_groups(docs) for r in group["rules"]]
    unknown = {q: names for q in queries + rules if (names := series_names(q) - recorded - KNOWN_SERIES)}
    assert unknown == {}
    assert recorded >= {n for q in queries for n in series_names(q) if n.startswith("koku:celery:")}


def test_notes_name_the_monitoring_prerequisites() -> None:
    kubernetes = new_release(load(sets=["monitoring.enabled=true"])).prerequisites()
    assert any("Prometheus Operator's CRDs" in line for line in kubernetes)
    openshift = new_release(load(sets=["platform=openshift"])).prerequisites()
    assert any(line.startswith("user workload monitoring") for line in openshift)
    assert not any("Prometheus" in line or "Grafana" in line for line in new_release(load()).prerequisites())
