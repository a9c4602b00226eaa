"""Hostile and mistaken strings in the values: each is one values error naming the field path, the
value and the file that set it (exit 2 from ``ros-synth``, no traceback), before any construct runs.

The construct-level checks a user value reaches are the Envoy config's (``edge/envoy/config.py``:
issuer, JWKS URI, audiences, the org admin role, route prefixes and their order, the admin port,
the TokenReview org id), PostgreSQL's identifiers (``data/postgres_sql.py``) and the object name
lengths (``core/naming.py``); ``CONSTRUCT_CHECKS`` feeds each of them a bad value. ``PATTERNS``
covers the strings that reach a config (issue 23, item 5), ``INERT`` the legitimate values that
look odd and must synthesize unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import render, ros_synth, tree

from ros_constructs.values import ValuesError, load, parse
from ros_constructs.values.base import MAX_ANNOTATIONS_BYTES

ISSUER = "https://sso.example.com/realms/cost"
GATEWAY: dict[str, Any] = {"edge": {"auth": {"mode": "gateway", "jwt": {"issuer": ISSUER}}}}
OPENSHIFT_REVIEW: dict[str, Any] = {
    "platform": "openshift",
    "edge": {"auth": {"mode": "gateway", "jwt": {"issuer": ISSUER}, "tokenReview": {"enabled": True, "orgId": "1"}}},
}


def nest(path: str, value: Any, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """``base`` with the dotted ``path`` set to ``value``."""
    data: dict[str, Any] = yaml.safe_load(yaml.safe_dump(base or {}))
    node = data
    *parents, last = path.split(".")
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value
    return data


# (values path set, value, base values, the field path the error names)
Case = tuple[str, Any, dict[str, Any], str]
CONSTRUCT_CHECKS: dict[str, Case] = {
    "audience-with-space": ("edge.auth.jwt.audiences", ["cost ui"], GATEWAY, "edge.auth.jwt.audiences.0"),
    "audience-with-quote": ("edge.auth.jwt.audiences", ['ui"'], GATEWAY, "edge.auth.jwt.audiences.0"),
    "token-review-audience-newline": (
        "edge.auth.tokenReview.audiences",
        ["https://kubernetes.default.svc\n"],
        OPENSHIFT_REVIEW,
        "edge.auth.tokenReview.audiences.0",
    ),
    "org-admin-role-with-tab": (
        "edge.auth.jwt.claims.orgAdminRole",
        "cost\tadmin",
        GATEWAY,
        "edge.auth.jwt.claims.orgAdminRole",
    ),
    "org-admin-role-with-space": ("edge.auth.jwt.claims.orgAdminRole", "org admin", GATEWAY, "edge.auth.jwt.claims"),
    "issuer-with-quote": ("edge.auth.jwt.issuer", 'https://sso.example.com/realms/"x', {}, "edge.auth.jwt.issuer"),
    "issuer-not-ascii": ("edge.auth.jwt.issuer", "https://ssö.example.com/realms/x", {}, "edge.auth.jwt.issuer"),
    "issuer-plain-http": ("edge.auth.jwt.issuer", "http://sso.example.com/realms/x", {}, "edge.auth.jwt.issuer"),
    "jwks-port-out-of-range": ("edge.auth.jwt.jwksUri", "https://sso.example.com:99999/certs", GATEWAY, "edge"),
    "jwks-with-credentials": ("edge.auth.jwt.jwksUri", "https://u:p@sso.example.com/certs", GATEWAY, "edge"),
    "path-prefix-empty": ("costManagement.api.pathPrefix", "", GATEWAY, "costManagement.api.pathPrefix"),
    "path-prefix-dot-dot": ("costManagement.api.pathPrefix", "/api/..", GATEWAY, "costManagement.api.pathPrefix"),
    "path-prefix-double-slash": ("costManagement.api.pathPrefix", "/api//cost", {}, "costManagement.api.pathPrefix"),
    "path-prefix-holds-upload-route": ("costManagement.api.pathPrefix", "/api", GATEWAY, "costManagement.api"),
    "path-prefix-is-upload-route": ("costManagement.api.pathPrefix", "/api/ingress", {}, "costManagement.api"),
    "path-prefix-under-upload-route": ("costManagement.api.pathPrefix", "/api/ingress/x", {}, "costManagement.api"),
    "admin-port-is-listen-port": ("edge.auth.adminPort", 9080, GATEWAY, "edge.auth.adminPort"),
    "token-review-org-id": ("edge.auth.tokenReview.orgId", "1; drop", OPENSHIFT_REVIEW, "edge.auth.tokenReview.orgId"),
    "database-name": ("database.koku.name", "koku;drop", {}, "database.koku.name"),
    "database-extension": ("database.koku.extensions", ["pg_stat; x"], {}, "database.koku.extensions.0"),
    "release-name-too-long": ("release", "r" * 60, {}, "release"),
}
PATTERNS: dict[str, Case] = {
    "kafka-bootstrap-command": ("kafka.bootstrapServers", "$(id)`x`:9092", {}, "kafka.bootstrapServers"),
    "kafka-bootstrap-port-zero": ("kafka.bootstrapServers", "kafka:0", {}, "kafka.bootstrapServers"),
    "kafka-bootstrap-no-port": ("kafka.bootstrapServers", "a:9092,b", {}, "kafka.bootstrapServers"),
    "bucket-command": ("objectStorage.buckets.koku", "a;id$(id)", {}, "objectStorage.buckets.koku"),
    "bucket-too-short": ("objectStorage.buckets.ros", "ab", {}, "objectStorage.buckets.ros"),
    "bucket-upper-case": ("objectStorage.buckets.upload", "Uploads", {}, "objectStorage.buckets.upload"),
    "bucket-ip-address": ("objectStorage.buckets.subs", "192.168.1.10", {}, "objectStorage.buckets.subs"),
    "bucket-double-dot": ("objectStorage.buckets.subs", "subs..data", {}, "objectStorage.buckets.subs"),
    "database-host-command": ("database.external.host", "db;id", {"database": {"mode": "external"}}, "database"),
    "database-host-newline": ("database.external.host", "db\n", {"database": {"mode": "external"}}, "database"),
    "cache-host-space": ("cache.external.host", "redis cache", {"cache": {"mode": "external"}}, "cache.external"),
    "s3-endpoint-with-path": (
        "objectStorage.external.endpoint",
        "https://s3.example.com/bucket",
        {"objectStorage": {"mode": "external"}},
        "objectStorage.external.endpoint",
    ),
    "s3-endpoint-quote": (
        "objectStorage.external.endpoint",
        "https://s3.example.com'",
        {"objectStorage": {"mode": "external"}},
        "objectStorage.external.endpoint",
    ),
    "ingress-host-underscore": ("edge.exposure.host", "cost_mgmt.example.com", {}, "edge.exposure.host"),
    "ingress-host-label-too-long": ("edge.exposure.host", "a" * 64 + ".example.com", {}, "edge.exposure.host"),
    "tls-secret-name": ("edge.exposure.tlsSecret", "TLS Secret", {}, "edge.exposure.tlsSecret"),
    "exposure-annotations-too-large": (
        "edge.exposure.annotations",
        {"example.com/big": "x" * MAX_ANNOTATIONS_BYTES},
        {},
        "edge.exposure.annotations",
    ),
    "pod-annotations-too-large": (
        "costManagement.services.masu.podAnnotations",
        {f"example.com/a{i}": "x" * 30000 for i in range(3)},
        {},
        "costManagement.services.masu.podAnnotations",
    ),
    "annotation-key": ("costManagement.services.masu.podAnnotations", {"a b": "x"}, {}, "costManagement.services"),
    "image-registry-command": ("images.koku.registry", "quay.io/$(id)", {}, "images.koku.registry"),
    "image-repository-upper-case": ("images.koku.repository", "Koku/App", {}, "images.koku.repository"),
    "read-replica-host": (
        "costManagement.api.readReplica",
        {"enabled": True, "host": "db-ro;id"},
        {},
        "costManagement.api.readReplica.host",
    ),
    "rbac-host": ("costManagement.cacheAndRbac.rbacServiceHost", "rbac:8080", {}, "costManagement.cacheAndRbac"),
    "keda-prometheus-url": (
        "costManagement.workers.keda.prometheus.serverAddress",
        "http://prometheus:9090`id`",
        {},
        "costManagement.workers.keda.prometheus.serverAddress",
    ),
    "pushgateway": ("costManagement.prometheus.pushgateway", "http://gw:9091", {}, "costManagement.prometheus"),
    "runbook-url-space": ("monitoring.alerts.runbookBaseUrl", "https://x.example.com/a b", {}, "monitoring.alerts"),
    "gateway-hostname": ("costManagement.api.router.gateway.hostnames", ["*"], {}, "costManagement.api.router"),
    "storage-class": ("database.internal.volume.storageClass", "fast ssd", {}, "database.internal.volume"),
}


def problem_of(data: dict[str, Any], tmp_path: Path) -> str:
    """The one problem ``load`` reports for ``data`` written to a values file (it must name the file)."""
    values_file = tmp_path / "site.yaml"
    values_file.write_text(yaml.safe_dump(data))
    with pytest.raises(ValuesError) as err:
        load([values_file])
    assert len(err.value.problems) == 1, err.value.problems
    problem = err.value.problems[0]
    assert problem.endswith(f" (from {values_file})"), problem
    return problem


@pytest.mark.parametrize("case", [*CONSTRUCT_CHECKS.values(), *PATTERNS.values()], ids=[*CONSTRUCT_CHECKS, *PATTERNS])
def test_hostile_value_is_one_values_error(case: Case, tmp_path: Path) -> None:
    path, value, base, field = case
    problem = problem_of(nest(path, value, base), tmp_path)
    assert problem.startswith(f"{field}"), problem
    shown = value if isinstance(value, str) else None
    if shown is not None and len(shown) < 100:
        assert repr(shown) in problem or repr(shown.strip()) in problem, problem


CLI_CASES = ["audience-with-space", "path-prefix-empty", "kafka-bootstrap-command", "bucket-command"]


@pytest.mark.parametrize("name", CLI_CASES)
def test_ros_synth_exits_2_without_a_traceback(name: str, tmp_path: Path) -> None:
    path, value, base, field = {**CONSTRUCT_CHECKS, **PATTERNS}[name]
    values_file, out = tmp_path / "site.yaml", tmp_path / "dist"
    values_file.write_text(yaml.safe_dump(nest(path, value, base)))
    before = tree(tmp_path)
    result = ros_synth("-f", str(values_file), "-o", str(out))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    lines = result.stderr.rstrip("\n").split("\n")
    assert lines[0] == "invalid values:" and len(lines) == 2, lines
    assert lines[1].startswith(f"  {field}") and lines[1].endswith(f"(from {values_file})"), lines[1]
    assert tree(tmp_path) == before


INERT: dict[str, dict[str, Any]] = {
    "ipv6-and-upper-case-bootstrap": {"kafka": {"bootstrapServers": "[fd00::1]:9092,Kafka-0.Example.com:9093"}},
    "bucket-with-dots": {"objectStorage": {"buckets": {"koku": "cost.koku-bucket.1"}}},
    "path-prefix-elsewhere": {"costManagement": {"api": {"pathPrefix": "/apis/cost-management"}}, **GATEWAY},
    "shell-text-in-an-annotation": {
        "edge": {"exposure": {"annotations": {"example.com/note": "$(id) `id` 'x' \"y\""}}}
    },
    "role-and-audience-with-symbols": nest(
        "edge.auth.jwt.claims.orgAdminRole",
        "cost:admin@org",
        nest("edge.auth.jwt.audiences", ["https://cost.example.com/ui", "cost-management-operator"], GATEWAY),
    ),
}


@pytest.mark.parametrize("data", list(INERT.values()), ids=list(INERT))
def test_legitimate_odd_values_are_accepted(data: dict[str, Any]) -> None:
    parse(data)


def test_an_annotation_value_is_written_as_given() -> None:
    """A value a shell would expand is only data in an annotation: it reaches the object verbatim."""
    note = INERT["shell-text-in-an-annotation"]["edge"]["exposure"]["annotations"]["example.com/note"]
    data = {
        **GATEWAY,
        "platform": "openshift",
        "edge": {**GATEWAY["edge"], "exposure": {"type": "route", "annotations": {"example.com/note": note}}},
    }
    docs = [o for chart in render(parse(data)).values() for o in chart if o["kind"] == "Route"]
    assert docs and all(o["metadata"]["annotations"]["example.com/note"] == note for o in docs)


def test_annotations_at_the_limit_are_accepted() -> None:
    key = "example.com/big"
    parse(nest("edge.exposure.annotations", {key: "x" * (MAX_ANNOTATIONS_BYTES - len(key))}))
