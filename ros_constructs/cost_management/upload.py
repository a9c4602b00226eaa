"""insights-ingress-go, the Cost Management upload service: the metrics operator POSTs its
reports to ``/api/ingress/v1/upload``; the program stores each in the upload bucket and announces
it on ``platform.upload.announce`` for Koku's listener (:mod:`.upload_env` has its env).

It requires an ``x-rh-identity`` header on its API (``INGRESS_AUTH``), which the front door's
authentication makes from the caller's token: with ``edge.auth.mode: none`` nothing sets the
header, so uploads get 400. ``/`` answers without identity and is the probe. A multipart upload
beyond ``maxMemory`` spills to ``/tmp`` (every pod's emptyDir). It needs no ServiceAccount token.
"""

from __future__ import annotations

import constructs

from ..core.plumbing import TierEnv, build_workload
from ..core.pod import Container, Port, Probe
from ..core.tree import Part
from ..core.workload import DeploymentKind
from .tier import KokuTier
from .upload_env import COMPONENT, INGRESS_ENV, METRICS_PORT, WEB_PORT, IngressRole


class UploadService(Part):
    """``<release>-ingress`` Deployment and Service."""

    def __init__(self, scope: constructs.Construct, id: str, *, tier: KokuTier) -> None:
        super().__init__(scope, id)
        spec, stores = tier.values.cost_management.upload, tier.stores
        bucket, s3_ca = stores.object_storage.buckets["upload"], stores.object_storage.ca
        profile = IngressRole.INGRESS
        env = TierEnv(
            pod_env=INGRESS_ENV.pod_env(tier, [profile]),
            shared=profile.value,  # the table has no shared roles: no shared ConfigMap
            profile=profile.value,
            mounts=[*([s3_ca.mount] if s3_ca else []), *stores.kafka.mounts],
        )
        build_workload(
            self,
            "Server",
            tier.release,
            naming=tier.upload,
            component=COMPONENT,
            container=Container(
                image=tier.values.images.ingress.ref,
                resources=spec.resources,
                env=bucket.claim_endpoint("INGRESS_MINIOENDPOINT"),
                ports=[
                    Port(name="http", container_port=WEB_PORT),
                    Port(name="metrics", container_port=METRICS_PORT, metrics_path="/metrics"),
                ],
                startup=Probe.http("/", "http", failure_threshold=30),
                liveness=Probe.http("/", "http", period_seconds=20),
                readiness=Probe.http("/", "http"),
            ),
            env=env,
            component_values=spec,
            controller=DeploymentKind(replicas=spec.replicas),
            talks_to=[stores.kafka, bucket],
        )
