"""insights-ros-ingress, the upload service of ROS-only mode: takes operator uploads, stores them
in the upload bucket and announces them to ROS's processor on ``hccm.ros.events``.

Its readiness is ``/health`` (it lists the bucket and asks Kafka for metadata); ``/ready``
always answers, so it is the liveness and startup check. It always builds a Kubernetes
TokenReview client and exits at start without an in-cluster token
(insights-ros-ingress@eb883e7:cmd/insights-ros-ingress/main.go:66-70), so it always has a
ServiceAccount token with exactly one grant, creating TokenReviews; ``tokenReview`` decides
whether it checks uploads with it (``AUTH_ENABLED``).
"""

from __future__ import annotations

import constructs

from ..core.conversations import API_SERVER
from ..core.emit import api_object
from ..core.kinds import SERVICE_ACCOUNT
from ..core.pod import Container, Port, Probe
from ..core.rbac import token_review_grant
from ..core.tree import Part
from ..core.workload import DeploymentKind
from .env import INGRESS_PORT, RosRole
from .names import INGRESS_COMPONENT
from .tier import RosTier

COMPONENT = INGRESS_COMPONENT


class UploadIngress(Part):
    """``<release>-ingress`` Deployment and Service, and its TokenReview grant when asked."""

    def __init__(self, scope: constructs.Construct, id: str, *, tier: RosTier) -> None:
        super().__init__(scope, id)
        ingress, naming = tier.values.ros.ingress, tier.ingress
        account = self._token_review(naming.name(COMPONENT), tier)
        tier.workload(
            self,
            "Server",
            role=RosRole.INGRESS,
            component=COMPONENT,
            container=Container(
                image=tier.values.images.ros_ingress.ref,
                resources=ingress.resources,
                env=tier.stores.object_storage.buckets["upload"].claim_endpoint("STORAGE_ENDPOINT"),
                ports=[Port(name="http", container_port=INGRESS_PORT)],
                startup=Probe.http("/ready", "http", failure_threshold=30),
                liveness=Probe.http("/ready", "http", timeout_seconds=5),
                readiness=Probe.http("/health", "http", timeout_seconds=10),
            ),
            controller=DeploymentKind(replicas=ingress.replicas),
            service_account_name=account,
            automount_token=True,
            scanner_exceptions={"CKV_K8S_38": "it exits without a token; its account may only create TokenReviews"},
            component_values=ingress,
            talks_to=[
                tier.stores.kafka,
                tier.stores.object_storage.buckets["upload"],
                API_SERVER,
            ],
        )

    def _token_review(self, name: str, tier: RosTier) -> str:
        """A ServiceAccount bound to a release-prefixed ClusterRole that may only create TokenReviews."""
        labels = tier.ingress.labels(COMPONENT)
        api_object(
            self,
            "Account",
            kind=SERVICE_ACCOUNT,
            name=name,
            labels=labels,
            body={"automountServiceAccountToken": False},
        )
        token_review_grant(self, account=name, namespace=tier.values.namespace, labels=labels)
        return name
