"""The authenticating Envoy as a container: its configuration from values, the ConfigMap that holds
it and the CA bundles it trusts. The central gateway and the per-pod sidecars both use it.

Which pods get a sidecar is decided here (:func:`sidecar_auth`) from the front-door routes the
tiers declare, and the release's plumbing places it: ``edge.auth.mode: sidecars`` puts a
JWT-checking Envoy in front of every pod that serves a route (the Cost Management router, the ROS
API, the upload ingress); ``edge.auth.tokenReview`` puts one asking Authorino in front of those
whose route takes service-account tokens (the ROS API).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlsplit

import constructs

from ..core.conversations import IDENTITY_PROVIDER, Conversation, Destination
from ..core.emit import api_object
from ..core.env_table import checksum
from ..core.kinds import CONFIG_MAP
from ..core.naming import Naming, object_name
from ..core.pod import ConfigMapFiles, Container, Mount, Port, Probe, SecretFiles
from ..core.tier import Fronted, Fronting
from ..data.connections import SERVICE_CA_KEY, service_host, service_name
from ..release import Release
from ..values.edge import ENVOY_LISTEN_PORT as LISTEN_PORT
from .envoy import (
    EnvoyConfig,
    IdentityClaims,
    JwtAuth,
    Route,
    ServingTls,
    TokenReviewAuth,
    Upstream,
    bootstrap,
    render,
)

PROXY_PORT = "proxy"
CONFIG_DIR = "/etc/envoy"
CA_DIR = "/etc/edge-ca"
SERVICE_CA_DIR = "/etc/service-ca"
SERVING_DIR = "/etc/envoy-tls"
SYSTEM_CA_FILE = "/etc/ssl/certs/ca-certificates.crt"
"""The Envoy image's own trust store (Ubuntu based), used when no CA source is given on Kubernetes."""
TRUSTED_CA_COMPONENT = "trusted-ca"
TRUSTED_CA_KEY = "ca-bundle.crt"
"""OpenShift's Cluster Network Operator fills this key of a ConfigMap labelled to receive the
cluster's trusted bundle (the proxy's CAs included)."""
AUTHORINO_COMPONENT = "authorino"
AUTHORINO_GRPC_PORT = 50051


@dataclass(frozen=True, kw_only=True)
class Auth:
    """How an Envoy authenticates, what it must mount for that and whom it asks."""

    config: JwtAuth | TokenReviewAuth
    mounts: tuple[Mount, ...]
    talks_to: tuple[Conversation, ...]


def trusted_ca_name(release: Release) -> str:
    return object_name(release.name, TRUSTED_CA_COMPONENT)


def service_ca_name(release: Release) -> str:
    """The ConfigMap OpenShift's service CA operator injects (made by the data-stores chart)."""
    return object_name(release.name, "service-ca")


def jwt_auth(release: Release) -> Auth:
    jwt = release.values.edge.auth.jwt
    ca = jwt.ca
    if ca.secret or ca.config_map:
        source = (
            SecretFiles(secret_name=ca.secret, items={ca.key: "ca.crt"})
            if ca.secret
            else ConfigMapFiles(config_map_name=str(ca.config_map), items={ca.key: "ca.crt"})
        )
        mounts: tuple[Mount, ...] = (Mount(name="edge-ca", path=CA_DIR, source=source),)
        ca_file = f"{CA_DIR}/ca.crt"
    elif release.platform.name == "openshift":
        source = ConfigMapFiles(config_map_name=trusted_ca_name(release), items={TRUSTED_CA_KEY: "ca.crt"})
        mounts, ca_file = (Mount(name="edge-ca", path=CA_DIR, source=source),), f"{CA_DIR}/ca.crt"
    else:
        mounts, ca_file = (), SYSTEM_CA_FILE
    claims = jwt.claims
    config = JwtAuth(
        issuer=str(jwt.issuer),
        jwks_uri=jwt.keys_uri,
        audiences=tuple(jwt.audiences),
        ca_file=ca_file,
        claims=IdentityClaims(
            org_id=tuple(claims.org_id),
            account_number=tuple(claims.account_number),
            username=(claims.username,),
            email=(claims.email,),
            org_admin_claim=claims.org_admin,
            org_admin_role=claims.org_admin_role,
        ),
    )
    keys = urlsplit(jwt.keys_uri)
    idp = Destination(what=IDENTITY_PROVIDER, token=str(keys.hostname), port=keys.port or 443)
    return Auth(config=config, mounts=mounts, talks_to=(idp,))


def token_review_auth(release: Release) -> Auth:
    """ext_authz to the release's Authorino over TLS, trusting OpenShift's service CA."""
    review = release.values.edge.auth.token_review
    source = ConfigMapFiles(config_map_name=service_ca_name(release), items={SERVICE_CA_KEY: SERVICE_CA_KEY})
    config = TokenReviewAuth(
        host=service_host(release.values, AUTHORINO_COMPONENT),
        port=AUTHORINO_GRPC_PORT,
        ca_file=f"{SERVICE_CA_DIR}/{SERVICE_CA_KEY}",
        org_id=str(review.org_id),
    )
    return Auth(
        config=config,
        mounts=(Mount(name="service-ca", path=SERVICE_CA_DIR, source=source),),
        talks_to=(service_name(release.values, AUTHORINO_COMPONENT),),
    )


def sidecar_auth(release: Release, service: str) -> Auth | None:
    """The Envoy in front of the pods behind ``service``, if they serve a front-door route."""
    auth = release.values.edge.auth
    route = next((r for r in release.routes if r.service == service), None)
    if route is None:
        return None
    if route.service_account_tokens and auth.token_review.enabled:
        return token_review_auth(release)
    return jwt_auth(release) if auth.mode == "sidecars" else None


@dataclass(frozen=True, kw_only=True)
class Proxy:
    container: Container
    config_checksum: str


def envoy_proxy(
    scope: constructs.Construct,
    *,
    release: Release,
    naming: Naming,
    component: str,
    routes: tuple[Route, ...],
    auth: Auth,
    service_port: int,
    serving_secret: str | None = None,
) -> Proxy:
    """The ConfigMap ``<release>-<component>-envoy`` and the Envoy container reading it; the
    container's ``proxy`` port is the Service's ``service_port``, serving TLS with the
    certificate in ``serving_secret`` when given."""
    values = release.values
    serving = ServingTls(cert_file=f"{SERVING_DIR}/tls.crt", key_file=f"{SERVING_DIR}/tls.key")
    config = EnvoyConfig(
        routes=routes,
        auth=auth.config,
        serving_tls=serving if serving_secret else None,
        listen_port=LISTEN_PORT,
        admin_port=values.edge.auth.admin_port,
    )
    mounts = [*auth.mounts]
    if serving_secret:
        mounts.append(Mount(name="serving-tls", path=SERVING_DIR, source=SecretFiles(secret_name=serving_secret)))
    text = render(bootstrap(config))
    name = naming.name(f"{component}-envoy")
    api_object(
        scope,
        "EnvoyConfig",
        kind=CONFIG_MAP,
        name=name,
        labels=naming.labels(f"{component}-envoy"),
        body={"data": {"envoy.yaml": text}},
    )
    release.references.provide("ConfigMap", name, frozenset({"envoy.yaml"}))
    resources = values.edge.auth.gateway.resources if component == "gateway" else values.edge.auth.sidecar_resources
    container = Container(
        name="envoy",
        image=values.images.envoy.ref,
        resources=resources,
        command=["envoy", "-c", f"{CONFIG_DIR}/envoy.yaml", "--log-level", "info"],
        ports=[Port(name=PROXY_PORT, container_port=LISTEN_PORT, service_port=service_port)],
        mounts=[Mount(name="envoy-config", path=CONFIG_DIR, source=ConfigMapFiles(config_map_name=name)), *mounts],
        readiness=Probe.tcp(PROXY_PORT),
        liveness=Probe.tcp(PROXY_PORT, period_seconds=20),
    )
    return Proxy(container=container, config_checksum=checksum(text))


def sidecar_fronting(release: Release) -> Fronting:
    """How the release's plumbing puts an Envoy in front of a pod (``TierSpec.fronting``)."""

    def front(scope: constructs.Construct, naming: Naming, component: str, container: Container) -> Fronted | None:
        """``container`` behind its Envoy (None: no sidecar). The sidecar's one route sends every path,
        authenticated, to the app's first port on localhost; kubelet probes still reach the app's own port."""
        auth = sidecar_auth(release, naming.name(component))
        if auth is None:
            return None
        app = container.ports[0]
        timeout = float(release.values.edge.auth.gateway.request_timeout_seconds)
        route = Route(
            prefix="/", upstream=Upstream(name="app", host="127.0.0.1", port=app.container_port), timeout=timeout
        )
        proxy = envoy_proxy(
            scope,
            release=release,
            naming=naming,
            component=component,
            routes=(route,),
            auth=auth,
            service_port=app.service_port or app.container_port,
        )
        ports = [replace(app, expose=False), *container.ports[1:]]
        return Fronted(
            container=replace(container, ports=ports),
            sidecar=proxy.container,
            config_checksum=proxy.config_checksum,
            talks_to=auth.talks_to,
        )

    return front
