"""Dangling references (``tests/dangling.py``): each check on tiny hand-written objects, both ways
(it catches a dangling reference and accepts the resolved one), then the whole matrix and every
snapshot profile, which must reference nothing a fresh cluster lacks."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import PROFILES, notes_of, objects, profile_values
from dangling import (
    CHECKS,
    OPERATOR_MADE,
    Index,
    build_index,
    dangling,
    endpoints,
    hosts,
    in_cluster,
    keys,
    namespaces,
    operator_made,
    references,
    scan_text,
    selectors,
    service_accounts,
    targets,
)
from test_gate import MATRIX, matrix_objects, matrix_values

Obj = dict[str, Any]
NS = "shop"
APP = {"app": "shop"}
NAMESPACE: Obj = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}


# --- tiny objects -----------------------------------------------------------------------------


def meta(name: str, ns: str = NS, **extra: Any) -> Obj:
    return {"name": name, "namespace": ns, **extra}


def deployment(
    name: str = "app",
    *,
    env: list[Obj] | None = None,
    env_from: list[Obj] | None = None,
    volumes: list[Obj] | None = None,
    labels: dict[str, str] | None = None,
    account: str | None = None,
) -> Obj:
    container: Obj = {"name": "main", "image": "x:1", "env": env or [], "envFrom": env_from or []}
    pod: Obj = {"containers": [container], "volumes": volumes or []}
    if account:
        pod["serviceAccountName"] = account
    template = {"metadata": {"labels": labels or APP}, "spec": pod}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta(name), "spec": {"template": template}}


def service(name: str, *ports: int | tuple[int, str], ns: str = NS, selector: Obj | None = None, **spec: Any) -> Obj:
    listed = [{"port": p} if isinstance(p, int) else {"port": p[0], "name": p[1]} for p in ports]
    body = {"ports": listed, "selector": APP if selector is None else selector, **spec}
    labels = {"svc": name}
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta(name, ns, labels=labels), "spec": body}


def config_map(name: str, data: dict[str, str], **annotations: str) -> Obj:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(name, annotations=annotations), "data": data}


def secret(name: str, *keys: str) -> Obj:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": meta(name), "stringData": dict.fromkeys(keys, "x")}


def custom(api_version: str, kind: str, name: str, spec: Obj | None = None, **annotations: str) -> Obj:
    return {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": meta(name, annotations=annotations),
        "spec": spec or {},
    }


def env(name: str, value: str) -> Obj:
    return {"name": name, "value": value}


def secret_env(name: str, ref: str, key: str, optional: bool = False) -> Obj:
    source: Obj = {"name": ref, "key": key, **({"optional": True} if optional else {})}
    return {"name": name, "valueFrom": {"secretKeyRef": source}}


def index(docs: list[Obj], notes: str = "") -> Index:
    return build_index([NAMESPACE, *docs], notes, NS)


def kafka(name: str, *ports: int) -> Obj:
    listeners = [{"name": f"l{p}", "port": p, "type": "internal", "tls": False} for p in ports]
    return custom("kafka.strimzi.io/v1beta2", "Kafka", name, {"kafka": {"listeners": listeners}})


CNPG = custom("postgresql.cnpg.io/v1", "Cluster", "db", {"instances": 1, "enableSuperuserAccess": True})
OBC = custom("objectbucket.io/v1alpha1", "ObjectBucketClaim", "bucket", {"generateBucketName": "b"})
USER = custom("kafka.strimzi.io/v1beta2", "KafkaUser", "koku", {"authentication": {"type": "scram-sha-512"}})


# --- check 1: hosts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "namespace", "bare", "expected"),
    [
        ("redis", NS, True, ("redis", NS)),
        ("redis", NS, False, None),
        ("redis.shop", NS, False, ("redis", NS)),
        ("redis.other", NS, False, None),
        ("redis.other", NS, True, ("redis", "other")),
        ("redis.other.svc", NS, False, ("redis", "other")),
        ("redis.other.svc.cluster.local", NS, False, ("redis", "other")),
        ("localhost", NS, True, None),
        ("127.0.0.1", NS, True, None),
        ("10.0.0.7", NS, True, None),
        ("example.com", NS, True, None),
        ("db.example.internal", NS, True, None),
        ("s3.eu-west-1.amazonaws.com", NS, True, None),
        ("bucket.amazonaws", NS, True, None),
        ("nginx.pid", NS, False, None),
        ("$upstream", NS, True, None),
    ],
)
def test_in_cluster_names_only_cluster_dns(host: str, namespace: str, bare: bool, expected: Any) -> None:
    assert in_cluster(host, namespace, bare=bare) == expected


def test_scan_text_finds_hosts_in_configs_and_skips_nginx_upstreams() -> None:
    text = (
        "pid /tmp/nginx.pid;\nupstream backend { server api.shop.svc:8000; }\n"
        'proxy_pass http://backend; proxy_pass http://$up; proxy_pass http://ros_api;\n{"url": "http://cache:6379/0"}'
    )
    found = [(e.host, e.port, e.bare) for e in scan_text(text) if in_cluster(e.host, NS, bare=e.bare)]
    assert found == [("api.shop.svc", 8000, False), ("cache", 6379, True)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("redis", [("redis", None)]),
        ("k1.shop.svc:9092, k2:9093", [("k1.shop.svc", 9092), ("k2", 9093)]),
        ("http://minio.shop.svc:9000/bucket", [("minio.shop.svc", 9000)]),
        ("redis://:secret@cache:6379/1", [("cache", 6379)]),
        ("jdbc:postgresql://db-rw.shop.svc:5432/koku?sslmode=require", [("db-rw.shop.svc", 5432)]),
        ("/api/v1", []),
        ("", []),
    ],
)
def test_endpoints_of_a_host_setting(value: str, expected: list[tuple[str, int | None]]) -> None:
    found = [(e.host, e.port) for e in endpoints(value, True) if in_cluster(e.host, NS, bare=e.bare)]
    assert found == expected


REDIS_ENV = [env("REDIS_HOST", "redis.shop.svc"), env("REDIS_PORT", "6379")]


@pytest.mark.parametrize(
    ("docs", "expected"),
    [
        pytest.param(
            [deployment(env=REDIS_ENV)],
            ["Deployment/app container main env REDIS_HOST: host 'redis.shop.svc': Service redis in namespace shop"],
            id="env-host-without-service",
        ),
        pytest.param(
            [deployment(env=REDIS_ENV), service("redis", 6380)],
            [
                "Deployment/app container main env REDIS_HOST: host 'redis.shop.svc': Service redis in namespace shop"
                " has no port 6379 (from Deployment/app container main env REDIS_PORT)"
            ],
            id="sibling-port-not-exposed",
        ),
        pytest.param(
            [deployment(env=[env("TRINO_HOST", "trino"), env("TRINO_PORT", "8080")])],
            ["env TRINO_HOST: host 'trino': Service trino in namespace shop is not in the output"],
            id="bare-name-in-a-host-setting",
        ),
        pytest.param(
            [deployment(env=[env("KAFKA_BOOTSTRAP_SERVERS", "k1.shop.svc:9092,k2:9092")]), service("k1", 9092)],
            ["env KAFKA_BOOTSTRAP_SERVERS: host 'k2': Service k2 in namespace shop is not in the output"],
            id="one-of-a-server-list",
        ),
        pytest.param(
            [
                deployment(env_from=[{"configMapRef": {"name": "env"}}]),
                config_map("env", {"S3_ENDPOINT": "http://minio.shop.svc:9000"}),
                service("minio", 9001),
            ],
            ["ConfigMap/env data.S3_ENDPOINT: host 'minio.shop.svc': Service minio in namespace shop has no port 9000"],
            id="url-in-an-envFrom-config-map",
        ),
        pytest.param(
            [deployment(env=[env("PUSHGATEWAY", "pushgateway.monitoring.svc:9091")])],
            [
                "host 'pushgateway.monitoring.svc': Service pushgateway in namespace monitoring is not in the output"
                " (nor namespace monitoring)"
            ],
            id="other-namespace-in-any-setting",
        ),
        pytest.param(
            [
                deployment(volumes=[{"name": "conf", "configMap": {"name": "nginx"}}]),
                config_map("nginx", {"nginx.conf": "upstream b { server api.shop.svc:8000; }\nproxy_pass http://b;"}),
                service("api", 8080),
            ],
            ["ConfigMap/nginx data.nginx.conf: host 'api.shop.svc': Service api in namespace shop has no port 8000"],
            id="mounted-config-text",
        ),
        pytest.param(
            [
                custom(
                    "keda.sh/v1alpha1",
                    "ScaledObject",
                    "w",
                    {
                        "scaleTargetRef": {"name": "app"},
                        "triggers": [
                            {"type": "redis", "metadata": {"address": "redis.shop.svc:6379", "listName": "q"}}
                        ],
                    },
                ),
                deployment(),
            ],
            ["ScaledObject/w spec.triggers[0].metadata.address: host 'redis.shop.svc': Service redis"],
            id="keda-trigger-address",
        ),
        pytest.param(
            [
                deployment(
                    env=[env("INSIGHTS_KAFKA_HOST", "c-kafka-bootstrap.shop.svc"), env("INSIGHTS_KAFKA_PORT", "9093")]
                ),
                kafka("c", 9092),
            ],
            ["host 'c-kafka-bootstrap.shop.svc': Service c-kafka-bootstrap in namespace shop has no port 9093"],
            id="strimzi-listener-port",
        ),
    ],
)
def test_hosts_catches_dangling_hosts(docs: list[Obj], expected: list[str]) -> None:
    found = hosts(index(docs))
    assert len(found) == len(expected), found
    for problem, fragment in zip(found, expected, strict=True):
        assert fragment in problem


@pytest.mark.parametrize(
    "docs",
    [
        pytest.param([deployment(env=REDIS_ENV), service("redis", 6379)], id="env-host-and-port"),
        pytest.param([deployment(env=[env("TRINO_HOST", "trino")]), service("trino", 8080)], id="bare-name-no-port"),
        pytest.param(
            [
                deployment(env=[env("DB_HOST", "db.other.svc.cluster.local"), env("DB_PORT", "5432")]),
                service("db", 5432, ns="other"),
            ],
            id="other-namespace-in-the-output",
        ),
        pytest.param(
            [
                deployment(
                    env=[
                        env("S3_ENDPOINT", "https://s3.amazonaws.com"),
                        env("API_URL", "http://localhost:8000"),
                        env("CACHE_HOST", "127.0.0.1"),
                        env("CURRENCY_URL", "https://rates.example.com/v1"),
                        env("DATABASE_HOST", "db.example.internal"),
                        env("QUEUES", "celery,summary"),
                        env("EMPTY_URL", ""),
                        env("PREFIX_URL", "/api/v1"),
                        env("ROS_API", "ros-api"),
                    ]
                )
            ],
            id="external-local-and-non-hosts",
        ),
        pytest.param(
            [
                deployment(
                    env=[
                        {"name": "REDIS_HOST", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "h"}}},
                        secret_env("DB_HOST", "db", "host"),
                    ]
                ),
                config_map("c", {"h": "redis.shop.svc"}),
            ],
            id="values-from-key-refs",
        ),
        pytest.param(
            [
                deployment(env=[env("X_URL", "http://ext.shop.svc:1234")]),
                service("ext", type="ExternalName", externalName="x.example.com"),
            ],
            id="external-name-service-any-port",
        ),
        pytest.param(
            [
                deployment(volumes=[{"name": "conf", "configMap": {"name": "nginx"}}]),
                config_map(
                    "nginx", {"nginx.conf": "upstream api { server api.shop.svc:8000; }\nproxy_pass http://api;"}
                ),
                service("api", 8000),
            ],
            id="mounted-config-text",
        ),
        pytest.param(
            [
                deployment(
                    env=[
                        env("INSIGHTS_KAFKA_HOST", "c-kafka-bootstrap.shop.svc"),
                        env("INSIGHTS_KAFKA_PORT", "9092"),
                        env("POSTGRES_SQL_SERVICE_HOST", "db-rw.shop.svc"),
                        env("POSTGRES_SQL_SERVICE_PORT", "5432"),
                    ]
                ),
                kafka("c", 9092),
                CNPG,
            ],
            id="operator-made-services",
        ),
    ],
)
def test_hosts_accepts_resolved_hosts(docs: list[Obj]) -> None:
    assert hosts(index(docs)) == []


# --- checks 2 and 3: Secrets, ConfigMaps and their keys ----------------------------------------

NOTES = """Create first:

- Secret db-login (REQUIRED), keys: password; read by app
- ConfigMap extra (optional), keys: a;
"""
PROJECTED = {
    "name": "p",
    "projected": {"sources": [{"configMap": {"name": "bundle", "items": [{"key": "ca.crt", "path": "ca"}]}}]},
}


@pytest.mark.parametrize(
    ("docs", "notes", "expected"),
    [
        pytest.param(
            [deployment(env=[secret_env("PW", "db-login", "password")])],
            "",
            "env PW: Secret db-login",
            id="secretKeyRef",
        ),
        pytest.param(
            [deployment(env_from=[{"configMapRef": {"name": "extra"}}])],
            "",
            "envFrom[0]: ConfigMap extra",
            id="envFrom",
        ),
        pytest.param([deployment(volumes=[PROJECTED])], NOTES, "volume p: ConfigMap bundle", id="projected"),
        pytest.param(
            [deployment(volumes=[{"name": "t", "secret": {"secretName": "tls"}}])],
            NOTES,
            "volume t: Secret tls",
            id="secret-volume",
        ),
        pytest.param(
            [deployment(env=[secret_env("PW", "koku", "password")])],
            "- Secret koku-user (REQUIRED)",
            "Secret koku",
            id="near-miss-in-notes",
        ),
        pytest.param(
            [
                custom(
                    "keda.sh/v1alpha1",
                    "TriggerAuthentication",
                    "a",
                    {"secretTargetRef": [{"parameter": "password", "name": "redis-auth", "key": "p"}]},
                )
            ],
            "",
            "TriggerAuthentication/a spec.secretTargetRef[0]: Secret redis-auth",
            id="trigger-auth",
        ),
    ],
)
def test_references_catches_missing_secrets_and_config_maps(docs: list[Obj], notes: str, expected: str) -> None:
    found = references(index(docs, notes))
    assert len(found) == 1 and expected in found[0] and "neither in the output nor named in NOTES.txt" in found[0], (
        found
    )


@pytest.mark.parametrize(
    ("docs", "notes"),
    [
        pytest.param([deployment(env=[secret_env("PW", "db-login", "password")])], NOTES, id="named-in-notes"),
        pytest.param([deployment(env_from=[{"configMapRef": {"name": "extra"}}])], NOTES, id="config-map-in-notes"),
        pytest.param([deployment(env=[secret_env("PW", "db-login", "password", optional=True)])], "", id="optional"),
        pytest.param(
            [deployment(volumes=[{"name": "t", "secret": {"secretName": "tls", "optional": True}}])],
            "",
            id="optional-volume",
        ),
        pytest.param([deployment(volumes=[PROJECTED]), config_map("bundle", {"ca.crt": "x"})], "", id="in-the-output"),
        pytest.param(
            [
                deployment(env=[secret_env("PW", "koku", "password"), secret_env("CA", "c-cluster-ca-cert", "ca.crt")]),
                USER,
                kafka("c", 9092),
            ],
            "",
            id="strimzi-made",
        ),
        pytest.param(
            [
                deployment(env=[secret_env("PW", "db-app", "password"), secret_env("SU", "db-superuser", "password")]),
                CNPG,
            ],
            "",
            id="cnpg-made",
        ),
        pytest.param(
            [deployment(env_from=[{"configMapRef": {"name": "bucket"}}, {"secretRef": {"name": "bucket"}}]), OBC],
            "",
            id="obc-made",
        ),
        pytest.param(
            [
                deployment(volumes=[{"name": "t", "secret": {"secretName": "tls"}}]),
                {
                    **service("api", 443),
                    "metadata": meta("api", annotations={"service.beta.openshift.io/serving-cert-secret-name": "tls"}),
                },
            ],
            "",
            id="serving-cert",
        ),
    ],
)
def test_references_accepts_present_noted_optional_and_operator_made(docs: list[Obj], notes: str) -> None:
    assert references(index(docs, notes)) == []


def test_cnpg_superuser_secret_only_when_enabled() -> None:
    cluster = custom("postgresql.cnpg.io/v1", "Cluster", "db", {"instances": 1})
    docs = [deployment(env=[secret_env("SU", "db-superuser", "password")]), cluster]
    assert len(references(index(docs))) == 1


@pytest.mark.parametrize(
    ("docs", "expected"),
    [
        pytest.param(
            [deployment(env=[secret_env("PW", "login", "password")]), secret("login", "pass")],
            "Secret login has no key 'password'",
            id="secret",
        ),
        pytest.param(
            [deployment(volumes=[PROJECTED]), config_map("bundle", {"ca.pem": "x"})],
            "items[ca.crt]: ConfigMap bundle has no key 'ca.crt'",
            id="volume-item",
        ),
        pytest.param(
            [
                deployment(env=[{"name": "B", "valueFrom": {"configMapKeyRef": {"name": "bucket", "key": "BUCKET"}}}]),
                OBC,
            ],
            "ConfigMap bucket has no key 'BUCKET'",
            id="obc-keys",
        ),
        pytest.param(
            [deployment(volumes=[PROJECTED]), config_map("bundle", {})],
            "ConfigMap bundle has no key 'ca.crt'",
            id="no-cabundle-annotation",
        ),
        pytest.param(
            [deployment(env=[secret_env("PW", "koku", "user.key")]), USER],
            "Secret koku has no key 'user.key'",
            id="scram-user",
        ),
    ],
)
def test_keys_catches_missing_keys(docs: list[Obj], expected: str) -> None:
    found = keys(index(docs))
    assert len(found) == 1 and expected in found[0], found


@pytest.mark.parametrize(
    "docs",
    [
        pytest.param(
            [deployment(env=[secret_env("PW", "login", "password")]), secret("login", "password")], id="secret"
        ),
        pytest.param([deployment(volumes=[PROJECTED]), config_map("bundle", {"ca.crt": "x"})], id="volume-item"),
        pytest.param(
            [
                deployment(
                    env=[{"name": "B", "valueFrom": {"configMapKeyRef": {"name": "bucket", "key": "BUCKET_HOST"}}}]
                ),
                OBC,
            ],
            id="obc-keys",
        ),
        pytest.param(
            [
                deployment(
                    volumes=[
                        {
                            "name": "p",
                            "configMap": {"name": "bundle", "items": [{"key": "service-ca.crt", "path": "ca"}]},
                        }
                    ]
                ),
                config_map("bundle", {}, **{"service.beta.openshift.io/inject-cabundle": "true"}),
            ],
            id="injected-cabundle",
        ),
        pytest.param(
            [deployment(env=[secret_env("PW", "login", "other", optional=True)]), secret("login", "password")],
            id="optional",
        ),
        pytest.param(
            [deployment(env=[secret_env("PW", "db-login", "anything")])], id="notes-keys-are-test-gate-business"
        ),
        pytest.param(
            [deployment(env=[secret_env("PW", "u", "whatever")]), custom("kafka.strimzi.io/v1beta2", "KafkaUser", "u")],
            id="unknown-keys",
        ),
    ],
)
def test_keys_accepts_present_keys(docs: list[Obj]) -> None:
    assert keys(index(docs)) == []


# --- check 4: selectors -----------------------------------------------------------------------

PDB = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": meta("pdb")}
NETPOL = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta("np")}


def with_spec(obj: Obj, spec: Obj) -> Obj:
    return {**obj, "spec": spec}


def monitor(kind: str, selector: Obj, **spec: Any) -> Obj:
    return custom("monitoring.coreos.com/v1", kind, "m", {"selector": selector, **spec})


@pytest.mark.parametrize(
    ("docs", "expected"),
    [
        pytest.param(
            [deployment(), service("s", 80, selector={"app": "other"})], "Service/s: spec.selector", id="service"
        ),
        pytest.param(
            [
                deployment(),
                with_spec(PDB, {"selector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["x"]}]}}),
            ],
            "PodDisruptionBudget/pdb",
            id="pdb-expressions",
        ),
        pytest.param(
            [deployment(), with_spec(NETPOL, {"podSelector": {"matchLabels": {"app": "db"}}})],
            "NetworkPolicy/np: spec.podSelector",
            id="netpol",
        ),
        pytest.param(
            [deployment(), service("s", 80), monitor("ServiceMonitor", {"matchLabels": {"svc": "t"}})],
            "selects no Service",
            id="service-monitor",
        ),
        pytest.param(
            [
                deployment(),
                service("s", 80, ns="other", selector={}),
                monitor("ServiceMonitor", {"matchLabels": {"svc": "s"}}),
            ],
            "selects no Service",
            id="service-monitor-namespace",
        ),
        pytest.param(
            [deployment(), monitor("PodMonitor", {"matchLabels": {"app": "db"}})],
            "selects no pod template",
            id="pod-monitor",
        ),
    ],
)
def test_selectors_catch_selecting_nothing(docs: list[Obj], expected: str) -> None:
    found = selectors(index(docs))
    assert len(found) == 1 and expected in found[0], found


@pytest.mark.parametrize(
    "docs",
    [
        pytest.param([deployment(), service("s", 80)], id="service"),
        pytest.param([service("headless", 80, selector={})], id="service-without-selector"),
        pytest.param(
            [
                deployment(),
                with_spec(
                    PDB, {"selector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["shop"]}]}}
                ),
            ],
            id="pdb",
        ),
        pytest.param([with_spec(NETPOL, {"podSelector": {}})], id="empty-pod-selector"),
        pytest.param(
            [CNPG, with_spec(NETPOL, {"podSelector": {"matchLabels": {"cnpg.io/cluster": "db"}}})],
            id="operator-made-pods",
        ),
        pytest.param(
            [deployment(), service("s", 80), monitor("ServiceMonitor", {"matchLabels": {"svc": "s"}})],
            id="service-monitor",
        ),
        pytest.param(
            [
                service("s", 80, ns="other", selector={}),
                monitor("ServiceMonitor", {"matchLabels": {"svc": "s"}}, namespaceSelector={"any": True}),
            ],
            id="any-namespace",
        ),
        pytest.param([deployment(), monitor("PodMonitor", {"matchLabels": APP})], id="pod-monitor"),
    ],
)
def test_selectors_accept_matching_selectors(docs: list[Obj]) -> None:
    assert selectors(index(docs)) == []


# --- check 5: targets -------------------------------------------------------------------------


def hpa(name: str, kind: str = "Deployment") -> Obj:
    return custom(
        "autoscaling/v2",
        "HorizontalPodAutoscaler",
        "h",
        {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": kind, "name": name}},
    )


def scaled(name: str, auth: str | None = None) -> Obj:
    trigger: Obj = {"type": "redis", "metadata": {}, **({"authenticationRef": {"name": auth}} if auth else {})}
    return custom("keda.sh/v1alpha1", "ScaledObject", "so", {"scaleTargetRef": {"name": name}, "triggers": [trigger]})


def route(to: str, port: Any) -> Obj:
    return custom(
        "route.openshift.io/v1", "Route", "r", {"to": {"kind": "Service", "name": to}, "port": {"targetPort": port}}
    )


def ingress(name: str, port: Obj) -> Obj:
    backend = {"service": {"name": name, "port": port}}
    paths = [{"path": "/", "pathType": "Prefix", "backend": backend}]
    return custom("networking.k8s.io/v1", "Ingress", "i", {"rules": [{"http": {"paths": paths}}]})


def http_route(backend: str, port: int, gateway: str = "gw", gateway_ns: str = "gateways") -> Obj:
    spec = {
        "parentRefs": [{"name": gateway, "namespace": gateway_ns}],
        "rules": [{"backendRefs": [{"name": backend, "port": port}]}],
    }
    return custom("gateway.networking.k8s.io/v1", "HTTPRoute", "hr", spec)


TRIGGER_AUTH = custom("keda.sh/v1alpha1", "TriggerAuthentication", "auth", {"secretTargetRef": []})


@pytest.mark.parametrize(
    ("docs", "notes", "expected"),
    [
        pytest.param([deployment(), hpa("api")], "", "spec.scaleTargetRef Deployment api", id="hpa"),
        pytest.param(
            [deployment(), hpa("app", "StatefulSet")], "", "spec.scaleTargetRef StatefulSet app", id="hpa-kind"
        ),
        pytest.param(
            [scaled("api")], "", "ScaledObject/so: spec.scaleTargetRef Deployment api", id="keda-default-kind"
        ),
        pytest.param(
            [deployment(), scaled("app", "auth")], "", "authenticationRef TriggerAuthentication auth", id="keda-auth"
        ),
        pytest.param([route("web", "http")], "", "spec.to Service web", id="route-service"),
        pytest.param(
            [service("web", (8000, "web")), route("web", "http")], "", "Service web has no port 'http'", id="route-port"
        ),
        pytest.param(
            [service("web", 8000), ingress("web", {"number": 80})], "", "Service web has no port 80", id="ingress"
        ),
        pytest.param(
            [service("web", 8000), http_route("ros", 8000)],
            "Gateway gateways/gw",
            "backendRefs[0] Service ros",
            id="httproute-backend",
        ),
        pytest.param(
            [service("web", 8000), http_route("web", 8000)],
            "Gateway gateways/other",
            "parentRefs[0] Gateway gw (namespace gateways)",
            id="httproute-gateway",
        ),
    ],
)
def test_targets_catch_missing_targets(docs: list[Obj], notes: str, expected: str) -> None:
    found = targets(index(docs, notes))
    assert len(found) == 1 and expected in found[0], found


@pytest.mark.parametrize(
    ("docs", "notes"),
    [
        pytest.param([deployment(), hpa("app")], "", id="hpa"),
        pytest.param([deployment(), scaled("app", "auth"), TRIGGER_AUTH], "", id="keda"),
        pytest.param([service("web", (8000, "web")), route("web", "web")], "", id="route-port-name"),
        pytest.param([service("web", 8000), route("web", 8000)], "", id="route-port-number"),
        pytest.param([service("web", (8000, "web")), ingress("web", {"name": "web"})], "", id="ingress"),
        pytest.param(
            [service("web", 8000), http_route("web", 8000)],
            "Prerequisite: the Gateway gateways/gw",
            id="gateway-in-notes",
        ),
        pytest.param(
            [
                service("web", 8000),
                http_route("web", 8000, gateway_ns=NS),
                custom("gateway.networking.k8s.io/v1", "Gateway", "gw"),
            ],
            "",
            id="gateway-in-output",
        ),
        pytest.param([CNPG, route("db-rw", 5432)], "", id="operator-made-service"),
    ],
)
def test_targets_accept_existing_targets(docs: list[Obj], notes: str) -> None:
    assert targets(index(docs, notes)) == []


# --- check 6: service accounts and roles ------------------------------------------------------


def binding(kind: str, subject: str, role_kind: str, role: str) -> Obj:
    obj: Obj = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": meta("b")}
    obj["subjects"] = [{"kind": "ServiceAccount", "name": subject, "namespace": NS}]
    obj["roleRef"] = {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role}
    return obj


SA = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta("runner")}
ROLE = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": meta("reader"), "rules": []}


@pytest.mark.parametrize(
    ("docs", "expected"),
    [
        pytest.param([deployment(account="runner")], "serviceAccountName runner", id="pod"),
        pytest.param(
            [binding("RoleBinding", "ghost", "Role", "reader"), ROLE], "subjects[0] ServiceAccount ghost", id="subject"
        ),
        pytest.param([binding("RoleBinding", "runner", "Role", "reader"), SA], "roleRef Role reader", id="role"),
        pytest.param(
            [binding("ClusterRoleBinding", "runner", "ClusterRole", "custom"), SA],
            "roleRef ClusterRole custom",
            id="cluster-role",
        ),
    ],
)
def test_service_accounts_catch_missing_accounts_and_roles(docs: list[Obj], expected: str) -> None:
    found = service_accounts(index(docs))
    assert len(found) == 1 and expected in found[0], found


@pytest.mark.parametrize(
    "docs",
    [
        pytest.param([deployment(account="runner"), SA], id="pod"),
        pytest.param([deployment(account="default"), deployment()], id="default"),
        pytest.param([binding("RoleBinding", "runner", "Role", "reader"), SA, ROLE], id="role"),
        pytest.param([binding("RoleBinding", "runner", "ClusterRole", "view"), SA], id="builtin-cluster-role"),
        pytest.param(
            [binding("ClusterRoleBinding", "default", "ClusterRole", "system:auth-delegator")], id="system-role"
        ),
    ],
)
def test_service_accounts_accept_existing_accounts_and_roles(docs: list[Obj]) -> None:
    assert service_accounts(index(docs)) == []


# --- check 7: namespaces ----------------------------------------------------------------------


def test_namespaces_catches_a_namespace_nobody_creates() -> None:
    found = namespaces(build_index([deployment(), config_map("c", {})], "", NS))
    assert found == [
        "Deployment/app and 1 other objects: metadata.namespace: Namespace shop is neither in the output"
        " nor named in NOTES.txt"
    ]
    found = namespaces(index([service("db", 5432, ns="other")]))
    assert len(found) == 1 and "Namespace other" in found[0]


@pytest.mark.parametrize(
    ("docs", "notes"),
    [
        pytest.param([NAMESPACE, deployment()], "", id="in-the-output"),
        pytest.param([deployment()], "Create the Namespace shop first.", id="in-notes"),
        pytest.param(
            [{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "r"}}],
            "",
            id="cluster-scoped",
        ),
    ],
)
def test_namespaces_accepts_created_or_noted_namespaces(docs: list[Obj], notes: str) -> None:
    assert namespaces(build_index(docs, notes, NS)) == []


def test_lowercase_namespace_in_notes_is_not_a_prerequisite() -> None:
    """NOTES.txt's header ("Objects in namespace X that ...") does not declare X a prerequisite."""
    assert namespaces(build_index([deployment()], "Objects in namespace shop that the pods reference", NS)) != []


# --- the whole ------------------------------------------------------------------------------


BROKEN: dict[str, tuple[list[Obj], str]] = {
    # check name: (objects with exactly the reference that check is about dangling, NOTES.txt)
    "hosts": ([deployment(env=REDIS_ENV)], ""),
    "references": ([deployment(env=[secret_env("PW", "login", "password")])], ""),
    "keys": ([deployment(env=[secret_env("PW", "login", "password")]), secret("login", "pw")], ""),
    "selectors": ([deployment(), service("s", 80, selector={"app": "x"})], ""),
    "targets": ([deployment(), hpa("x")], ""),
    "service_accounts": ([deployment(account="runner")], ""),
    "namespaces": ([service("s", 80, ns="other", selector={})], ""),
}


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_no_check_is_vacuous(check: Any) -> None:
    """Every check in CHECKS has a broken case here, and :func:`dangling` reports it (and only it)."""
    docs, notes = BROKEN[check.__name__]
    caught = check(index(docs, notes))
    assert caught
    assert dangling([NAMESPACE, *docs], notes, NS) == caught


def test_every_check_is_listed() -> None:
    assert [c.__name__ for c in CHECKS] == list(BROKEN)


def test_operator_made_table_covers_the_data_store_operators() -> None:
    kinds = {kind for _, kind in OPERATOR_MADE}
    assert {"Kafka", "KafkaUser", "Cluster", "ObjectBucketClaim", "Service", "ConfigMap"} <= kinds
    made = {(m.kind, m.name): m for m in operator_made([kafka("c", 9092, 9093), CNPG, OBC, USER], NS)}
    assert made[("Service", "c-kafka-bootstrap")].ports >= {9092, 9093}
    assert {
        ("Secret", "c-cluster-ca-cert"),
        ("Secret", "koku"),
        ("Secret", "db-app"),
        ("Secret", "db-superuser"),
    } <= set(made)
    assert {("Service", "db-rw"), ("Service", "db-ro"), ("Service", "db-r")} <= set(made)
    assert made[("ConfigMap", "bucket")].keys and "BUCKET_HOST" in (made[("ConfigMap", "bucket")].keys or ())


def test_dangling_merges_duplicates() -> None:
    two = [
        deployment("a", env_from=[{"configMapRef": {"name": "env"}}]),
        deployment("b", env_from=[{"configMapRef": {"name": "env"}}]),
    ]
    docs = [NAMESPACE, *two, config_map("env", {"REDIS_HOST": "redis"})]
    assert dangling(docs, "", NS) == [
        "ConfigMap/env data.REDIS_HOST: host 'redis': Service redis in namespace shop is not in the output"
    ]


def _report(where: str, problems: list[str]) -> str:
    return f"{len(problems)} dangling references in {where}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("entry", MATRIX)
def test_matrix_entry_references_nothing_missing(entry: str) -> None:
    values = matrix_values(entry)
    problems = dangling(matrix_objects(entry), notes_of(values), values.namespace)
    assert problems == [], _report(entry, problems)


@pytest.mark.parametrize("profile", PROFILES)
def test_profile_references_nothing_missing(profile: str) -> None:
    values = profile_values(profile)
    problems = dangling(objects(profile), notes_of(values), values.namespace)
    assert problems == [], _report(f"profile {profile}", problems)
