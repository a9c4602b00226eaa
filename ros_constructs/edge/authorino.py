"""Authorino for the ROS API on OpenShift (``edge.auth.tokenReview``): Kubernetes service-account
tokens checked with a TokenReview, asked by the Envoy in front of the ROS API over gRPC and TLS.

Everything is release-scoped: Authorino watches only this namespace and only AuthConfigs with the
release's instance label; its account may read those (and update their status), list and watch
Secrets in the namespace (Authorino's Secret reconciler needs them to start; RBAC cannot narrow a
grant by label, so the process narrows it: it keeps only Secrets labelled with the release's
instance label and Authorino's managed-by, which the release gives none) and create
TokenReviews, through a ClusterRole with the release prefix. Its serving certificate comes from OpenShift's service CA
(the Service annotation), which the Envoy trusts through the injected service-CA ConfigMap.
"""

from __future__ import annotations

import constructs

from ..core.conversations import API_SERVER
from ..core.emit import api_object
from ..core.kinds import AUTH_CONFIG, RBAC_GROUP, ROLE, ROLE_BINDING, SERVICE_ACCOUNT
from ..core.naming import INSTANCE_LABEL, Naming
from ..core.plumbing import build_workload
from ..core.pod import Container, Mount, Port, Probe, SecretFiles
from ..core.rbac import token_review_grant
from ..core.tree import Part
from ..core.workload import DeploymentKind
from ..release import Release
from .proxy import AUTHORINO_COMPONENT, AUTHORINO_GRPC_PORT

TLS_DIR = "/etc/authorino-tls"
HEALTH_PORT = 8081
METRICS_PORT = 8080
SECRET_LABEL = "authorino.kuadrant.io/managed-by=authorino"
"""Authorino's own label for the API-key Secrets it reads (its default selector)."""


class Authorino(Part):
    """``<release>-authorino``: Deployment, Service, account and grants, and the ROS API's AuthConfig."""

    def __init__(self, scope: constructs.Construct, id: str, *, release: Release, naming: Naming) -> None:
        super().__init__(scope, id)
        review = release.values.edge.auth.token_review
        name = naming.name(AUTHORINO_COMPONENT)
        labels = naming.labels(AUTHORINO_COMPONENT)
        tls_secret = f"{name}-tls"
        self._grants(name, labels, release.namespace)
        release.references.provide("Secret", tls_secret, frozenset({"tls.crt", "tls.key"}))  # the service CA makes it
        images = release.values.images
        build_workload(
            self,
            "Workload",
            release,
            component=AUTHORINO_COMPONENT,
            naming=naming,
            container=Container(
                image=images.authorino.ref,
                resources=review.resources,
                args=[
                    f"--watch-namespace={release.namespace}",
                    f"--auth-config-label-selector={INSTANCE_LABEL}={release.name}",
                    f"--secret-label-selector={SECRET_LABEL},{INSTANCE_LABEL}={release.name}",
                    f"--tls-cert={TLS_DIR}/tls.crt",
                    f"--tls-cert-key={TLS_DIR}/tls.key",
                    f"--ext-auth-grpc-port={AUTHORINO_GRPC_PORT}",
                    f"--metrics-addr=:{METRICS_PORT}",
                    f"--health-probe-addr=:{HEALTH_PORT}",
                ],
                ports=[
                    Port(name="grpc", container_port=AUTHORINO_GRPC_PORT),
                    Port(name="metrics", container_port=METRICS_PORT, metrics_path="/metrics"),
                    Port(name="health", container_port=HEALTH_PORT, expose=False),
                ],
                mounts=[Mount(name="tls", path=TLS_DIR, source=SecretFiles(secret_name=tls_secret))],
                liveness=Probe.http("/healthz", "health", period_seconds=20),
                readiness=Probe.http("/readyz", "health"),
            ),
            controller=DeploymentKind(replicas=review.replicas),
            service_account_name=name,
            automount_service_account_token=True,
            service_annotations={"service.beta.openshift.io/serving-cert-secret-name": tls_secret},
            scanner_exceptions={
                "CKV_K8S_38": "Authorino reviews tokens and watches its AuthConfigs: it needs its token"
            },
            component_values=review,
            talks_to=[API_SERVER],
        )
        # One AuthConfig for every route that takes service-account tokens (any host: see below),
        # named after the first such route's component.
        served = next(r.component for r in release.routes if r.service_account_tokens)
        api_object(
            self,
            "AuthConfig",
            kind=AUTH_CONFIG,
            name=naming.name(served),
            labels=naming.labels(served),
            body={
                "spec": {
                    # Any host: requests arrive under the public host or the Service's, and only this
                    # release's Envoy reaches this Authorino, which watches only this AuthConfig.
                    "hosts": ["*"],
                    "authentication": {
                        "kubernetes-tokens": {"kubernetesTokenReview": {"audiences": list(review.audiences)}}
                    },
                    "response": {
                        "success": {
                            "headers": {
                                "x-auth-username": {"plain": {"selector": "auth.identity.user.username"}},
                                "x-auth-uid": {"plain": {"selector": "auth.identity.user.uid"}},
                            }
                        }
                    },
                }
            },
        )

    def _grants(self, name: str, labels: dict[str, str], namespace: str) -> None:
        api_object(self, "Account", kind=SERVICE_ACCOUNT, name=name, labels=labels, body={})
        namespaced = [
            {
                "apiGroups": ["authorino.kuadrant.io"],
                "resources": ["authconfigs"],
                "verbs": ["get", "list", "watch"],
            },
            {
                "apiGroups": ["authorino.kuadrant.io"],
                "resources": ["authconfigs/status"],
                "verbs": ["get", "patch", "update"],
            },
            {"apiGroups": [""], "resources": ["secrets"], "verbs": ["list", "watch"]},
        ]
        subjects = [{"kind": "ServiceAccount", "name": name, "namespace": namespace}]
        api_object(self, "Role", kind=ROLE, name=name, labels=labels, body={"rules": namespaced})
        api_object(
            self,
            "RoleBinding",
            kind=ROLE_BINDING,
            name=name,
            labels=labels,
            body={"roleRef": {"apiGroup": RBAC_GROUP, "kind": "Role", "name": name}, "subjects": subjects},
        )
        token_review_grant(self, account=name, namespace=namespace, labels=labels)
