"""The edge as synthesized: exposure targets, the Envoy configurations in their ConfigMaps (parsed
strictly against Envoy's API), Authorino's objects, and the values that are refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import objects, render
from policies import custom_resource_errors, is_builtin
from test_envoy import parse
from test_network import EDGE, OPENSHIFT_ROUTER, STRANGER, reachable

from ros_constructs.edge.exposure import ROUTE_TIMEOUT
from ros_constructs.values import ValuesError, load

R = "cost-onprem-"
Obj = dict[str, Any]


def by(docs: list[Obj], kind: str, name: str) -> Obj:
    (found,) = [o for o in docs if o["kind"] == kind and o["metadata"]["name"] == R + name]
    return found


def envoy_of(docs: list[Obj], config_map: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(by(docs, "ConfigMap", config_map)["data"]["envoy.yaml"])
    return loaded


def jwt_provider(config: dict[str, Any]) -> dict[str, Any]:
    (listener,) = config["static_resources"]["listeners"]
    (hcm,) = listener["filter_chains"][0]["filters"]
    (jwt,) = [f for f in hcm["typed_config"]["http_filters"] if f["name"] == "envoy.filters.http.jwt_authn"]
    (provider,) = jwt["typed_config"]["providers"].values()
    result: dict[str, Any] = provider
    return result


def test_the_gateway_envoy_parses_and_carries_the_issuer_and_audiences_from_values() -> None:
    docs = objects("edge-gateway")
    config = envoy_of(docs, "gateway-envoy")
    parse(config)
    provider = jwt_provider(config)
    assert provider["issuer"] == "https://keycloak.example.com/realms/cost"
    assert provider["audiences"] == ["cost-management-operator", "cost-management-ui"]
    assert (
        provider["remote_jwks"]["http_uri"]["uri"]
        == "https://keycloak.example.com/realms/cost/protocol/openid-connect/certs"
    )
    assert config["admin"]["address"]["socket_address"]["address"] == "127.0.0.1"
    routes = config["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
    prefixes = [r["match"]["prefix"] for r in routes["route_config"]["virtual_hosts"][0]["routes"]]
    assert prefixes == ["/api/cost-management/v1/recommendations/", "/api/cost-management/", "/api/ingress/"]


def test_the_identity_provider_ca_comes_from_the_operators_secret_without_a_fetch() -> None:
    docs = objects("edge-gateway")
    pod = by(docs, "Deployment", "gateway")["spec"]["template"]["spec"]
    assert not pod.get("initContainers")
    (volume,) = [v for v in pod["volumes"] if v["name"] == "edge-ca"]
    assert volume["secret"]["secretName"] == "keycloak-ca"


@pytest.mark.parametrize(
    "profile", ["edge-gateway", "edge-gateway-openshift", "edge-sidecars-openshift", "edge-gateway-api"]
)
def test_no_service_exposes_an_envoy_admin_port(profile: str) -> None:
    docs = objects(profile)
    envoys = [o for o in docs if o["kind"] == "ConfigMap" and o["metadata"]["name"].endswith("-envoy")]
    assert envoys
    admin_ports = {
        envoy_of(docs, e["metadata"]["name"].removeprefix(R))["admin"]["address"]["socket_address"]["port_value"]
        for e in envoys
    }
    for service in (o for o in docs if o["kind"] == "Service"):
        assert not {p["port"] for p in service["spec"]["ports"]} & admin_ports, service["metadata"]["name"]


def test_sidecars_take_the_service_ports_and_hide_the_apps_own() -> None:
    docs = objects("edge-sidecars-openshift")
    for component, app_port in (("rosocp-api", "http"), ("ingress", "http")):
        service = by(docs, "Service", component)
        assert [p["targetPort"] for p in service["spec"]["ports"] if p["name"] != "metrics"] == ["proxy"]
        containers = by(docs, "Deployment", component)["spec"]["template"]["spec"]["containers"]
        assert [c["name"] for c in containers][1:] == ["envoy"]
        assert app_port in [p["name"] for p in containers[0]["ports"]]
    ros_api = envoy_of(docs, "rosocp-api-envoy")
    parse(ros_api)
    filters = ros_api["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"][
        "http_filters"
    ]
    assert "envoy.filters.http.ext_authz" in [f["name"] for f in filters]  # TokenReview via Authorino
    parse(envoy_of(docs, "ingress-envoy"))


def test_authorino_is_release_scoped_and_its_auth_config_is_valid(shared_dir: Path) -> None:
    docs = objects("edge-sidecars-openshift")
    auth_config = by(docs, "AuthConfig", "rosocp-api")
    assert custom_resource_errors(auth_config, shared_dir / "crds") == []
    assert auth_config["spec"]["authentication"]["kubernetes-tokens"]["kubernetesTokenReview"]["audiences"]
    cluster_wide = [o for o in docs if o["kind"] in ("ClusterRole", "ClusterRoleBinding")]
    assert cluster_wide and all(o["metadata"]["name"].startswith(R) for o in cluster_wide)
    service = by(docs, "Service", "authorino")
    assert (
        service["metadata"]["annotations"]["service.beta.openshift.io/serving-cert-secret-name"] == f"{R}authorino-tls"
    )
    args = by(docs, "Deployment", "authorino")["spec"]["template"]["spec"]["containers"][0]["args"]
    assert "--watch-namespace=cost-onprem" in args
    assert "--auth-config-label-selector=app.kubernetes.io/instance=cost-onprem" in args


@pytest.mark.parametrize(
    "profile", ["edge-gateway", "edge-gateway-openshift", "edge-sidecars-openshift", "edge-gateway-api"]
)
def test_exposure_objects_are_valid_custom_resources(profile: str, shared_dir: Path) -> None:
    problems = [
        e for o in objects(profile) if not is_builtin(o) for e in custom_resource_errors(o, shared_dir / "crds")
    ]
    assert problems == []


def test_behind_the_gateway_only_the_gateway_is_reachable_from_outside() -> None:
    graph = reachable(objects("edge-gateway"), [EDGE, STRANGER])
    from_outside = {(t, p) for s, t, p in graph if s in (EDGE.name, STRANGER.name)}
    assert from_outside == {("gateway", "proxy")}


def test_with_sidecars_outside_traffic_reaches_only_the_envoys() -> None:
    graph = reachable(objects("edge-sidecars-openshift"), [OPENSHIFT_ROUTER, STRANGER])
    from_router = {(t, p) for s, t, p in graph if s == OPENSHIFT_ROUTER.name}
    assert from_router == {("api-router", "proxy"), ("rosocp-api", "proxy"), ("ingress", "proxy")}
    assert not [path for path in graph if path[0] == STRANGER.name]
    assert ("rosocp-api", "authorino", "grpc") in graph


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (["edge.exposure.type=ingress"], "lets anyone set x-rh-identity"),
        (
            ["edge.exposure.type=route", "edge.auth.mode=gateway", "edge.auth.jwt.issuer=https://id.example.com"],
            "needs platform openshift",
        ),
        (["edge.auth.mode=gateway"], "needs jwt.issuer"),
        (
            ["edge.auth.mode=gateway", "edge.auth.jwt.issuer=https://id.example.com", "edge.auth.jwt.audiences=[]"],
            "audiences",
        ),
        (
            [
                "platform=openshift",
                "edge.auth.mode=gateway",
                "edge.auth.jwt.issuer=https://id.example.com",
                "edge.auth.tokenReview.enabled=true",
            ],
            "orgId",
        ),
        (
            [
                "edge.auth.mode=gateway",
                "edge.auth.jwt.issuer=https://id.example.com",
                "edge.auth.tokenReview.enabled=true",
                "edge.auth.tokenReview.orgId=1",
            ],
            "needs platform openshift",
        ),
        (
            [
                "edge.auth.mode=sidecars",
                "edge.auth.jwt.issuer=https://id.example.com",
                "costManagement.api.router.type=gatewayApi",
            ],
            "router.type nginx",
        ),
    ],
)
def test_unsafe_or_incomplete_edge_values_are_refused(settings: list[str], message: str) -> None:
    with pytest.raises(ValuesError, match=message):
        load([], settings)


def test_a_reencrypting_route_reaches_a_gateway_serving_the_service_cas_certificate() -> None:
    docs = objects("edge-gateway-openshift")
    routes = [o for o in docs if o["kind"] == "Route"]
    assert routes and all(r["spec"]["tls"]["termination"] == "reencrypt" for r in routes)
    assert {r["spec"]["to"]["name"] for r in routes} == {f"{R}gateway"}
    service = by(docs, "Service", "gateway")
    secret = service["metadata"]["annotations"]["service.beta.openshift.io/serving-cert-secret-name"]
    config = envoy_of(docs, "gateway-envoy")
    parse(config)
    tls = config["static_resources"]["listeners"][0]["filter_chains"][0]["transport_socket"]["typed_config"]
    assert tls["common_tls_context"]["tls_certificates"] == [
        {
            "certificate_chain": {"filename": "/etc/envoy-tls/tls.crt"},
            "private_key": {"filename": "/etc/envoy-tls/tls.key"},
        }
    ]
    volumes = by(docs, "Deployment", "gateway")["spec"]["template"]["spec"]["volumes"]
    assert {v["name"]: v.get("secret", {}).get("secretName") for v in volumes}["serving-tls"] == secret
    trusted = by(docs, "ConfigMap", "trusted-ca")
    assert trusted["metadata"]["labels"]["config.openshift.io/inject-trusted-cabundle"] == "true"


def test_the_edge_waits_as_long_as_an_orgs_first_source_takes(tmp_path: Path) -> None:
    """Koku answers an org's first source only after building its tenant schema (92 s measured
    at d8055ac): the OpenShift Routes (HAProxy's default is 30 s) and the sidecars wait the edge's
    request timeout; the user's own Route annotation wins."""
    docs = objects("edge-sidecars-openshift")
    routes = [o for o in docs if o["kind"] == "Route"]
    assert routes and all(r["metadata"]["annotations"][ROUTE_TIMEOUT] == "180s" for r in routes)
    listener = envoy_of(docs, "api-router-envoy")["static_resources"]["listeners"][0]
    (host,) = listener["filter_chains"][0]["filters"][0]["typed_config"]["route_config"]["virtual_hosts"]
    assert [r["route"]["timeout"] for r in host["routes"]] == ["180s"]
    own = tmp_path / "own.yaml"
    own.write_text(yaml.safe_dump({"edge": {"exposure": {"annotations": {ROUTE_TIMEOUT: "600s"}}}}))
    values = load([Path(__file__).parent / "profiles" / "edge-sidecars-openshift.yaml", own])
    docs = [o for chart in render(values).values() for o in chart]
    assert {o["metadata"]["annotations"][ROUTE_TIMEOUT] for o in docs if o["kind"] == "Route"} == {"600s"}
