"""Object storage for the release: MinIO and its bucket Job (``minio``), one ObjectBucketClaim
per bucket (``odf``), or nothing (``external``); and, in every mode, the AWS SDK config file that
makes Koku's boto3 sign with s3v4 and use the chosen addressing style (Koku sets neither in code).
"""

from __future__ import annotations

import shlex

import constructs

from ..core.emit import api_object
from ..core.kinds import OBJECT_BUCKET_CLAIM
from ..core.pod import Container, EmptyDir, EnvVar, Mount, Port, Probe, literal, secret_key
from ..core.tree import Part
from ..core.workload import JobKind, StatefulSetKind, VolumeClaim
from .connections import MINIO_PORT, SERVICE_CA_KEY, ObjectStorageConnection
from .store import DataStore

DATA_PATH = "/data"
MC_CONFIG = "/tmp/mc"


def aws_config(region: str, addressing_style: str) -> str:
    """The shared config file botocore reads through ``AWS_CONFIG_FILE``."""
    return (
        f"[default]\nregion = {region}\ns3 =\n    signature_version = s3v4\n    addressing_style = {addressing_style}\n"
    )


class S3ClientConfig(Part):
    """The AWS config file every S3 client mounts, and on ODF the service CA its TLS is signed by."""

    def __init__(self, scope: constructs.Construct, id: str, *, store: DataStore, s3: ObjectStorageConnection) -> None:
        super().__init__(scope, id)
        store.config_map(
            self, "Config", component="s3-config", data={"config": aws_config(s3.region, s3.addressing_style)}
        )
        if s3.mode == "odf":
            store.config_map(
                self,
                "ServiceCa",
                component="service-ca",
                data={},
                annotations={"service.beta.openshift.io/inject-cabundle": "true"},
                provides=frozenset({SERVICE_CA_KEY}),
            )


class MinioServer(Part):
    """A single-node MinIO StatefulSet whose root credentials are the release's S3 keys."""

    def __init__(self, scope: constructs.Construct, id: str, *, store: DataStore, s3: ObjectStorageConnection) -> None:
        super().__init__(scope, id)
        minio = store.release.values.object_storage.minio
        keys = s3.buckets["upload"]  # every bucket has the same keys outside ODF
        container = Container(
            image=store.image_ref,
            resources=minio.resources,
            command=["minio", "server", DATA_PATH],
            args=["--address", f":{MINIO_PORT}", "--console-address", ":9090", "--certs-dir", "/tmp/certs"],
            env=[
                secret_key("MINIO_ROOT_USER", keys.access_key.name, keys.access_key.key),
                secret_key("MINIO_ROOT_PASSWORD", keys.secret_key.name, keys.secret_key.key),
                literal("MINIO_BROWSER", "off"),
            ],
            ports=[Port(name="api", container_port=MINIO_PORT)],
            startup=Probe.http("/minio/health/live", "api", failure_threshold=30),
            liveness=Probe.http("/minio/health/live", "api", timeout_seconds=5),
            readiness=Probe.http("/minio/health/ready", "api", timeout_seconds=5),
        )
        store.workload(
            self,
            "Server",
            component="minio",
            container=container,
            controller=StatefulSetKind(
                volume_claims=[
                    VolumeClaim(
                        name="data", path=DATA_PATH, size=minio.volume.size, storage_class=minio.volume.storage_class
                    )
                ],
                spread=False,
            ),
            component_values=minio,
            talks_to=[],
        )


def bucket_script(buckets: dict[str, str], public: set[str]) -> str:
    """Create every bucket if missing and set its anonymous policy; exits non-zero on any error.
    The alias ``store`` comes from ``MC_HOST_store`` (:func:`mc_host`)."""
    mc = f"mc --config-dir {MC_CONFIG}"
    lines = ["set -eu"]
    for key, bucket in sorted(buckets.items()):
        lines.append(f"{mc} mb --ignore-existing store/{shlex.quote(bucket)}")
        lines.append(f"{mc} anonymous set {'download' if key in public else 'none'} store/{shlex.quote(bucket)}")
    return "\n".join(lines) + "\n"


def mc_host(alias: str, endpoint: str, access: str, secret: str) -> EnvVar:
    """``MC_HOST_<alias>``: mc's alias from the environment, so the keys never reach a process's
    arguments (``mc alias set`` would put them there). The kubelet composes it from the two key
    variables (``$(VAR)``, no shell). mc splits it at the last ``@`` and at ``:``, so the keys need
    no URL escaping but may not hold a ``:`` (a third part is a session token); generated keys are hex."""
    scheme, rest = endpoint.split("://", 1)
    return literal(f"MC_HOST_{alias}", f"{scheme}://$({access}):$({secret})@{rest}")


class MinioBuckets(Part):
    """The idempotent Job that makes the buckets; MinIO not being up yet is retried by back-off."""

    def __init__(self, scope: constructs.Construct, id: str, *, store: DataStore, s3: ObjectStorageConnection) -> None:
        super().__init__(scope, id)
        values = store.release.values
        job = values.object_storage.minio.buckets_job
        names = {key: bucket.name for key, bucket in s3.buckets.items() if isinstance(bucket.name, str)}
        keys = s3.buckets["upload"]  # every bucket has the same keys outside ODF
        assert isinstance(s3.endpoint, str)
        container = Container(
            image=values.images.minio_client.ref,
            resources=job.resources,
            command=["sh", "-c", bucket_script(names, set(values.object_storage.minio.public_buckets))],
            env=[
                secret_key("ACCESS_KEY", keys.access_key.name, keys.access_key.key),
                secret_key("SECRET_KEY", keys.secret_key.name, keys.secret_key.key),
                mc_host("store", s3.endpoint, "ACCESS_KEY", "SECRET_KEY"),
            ],
            mounts=[Mount(name="mc", path=MC_CONFIG, source=EmptyDir())],
        )
        store.workload(
            self,
            "Job",
            component="minio-buckets",
            container=container,
            controller=JobKind(backoff_limit=8, active_deadline_seconds=1800, ttl_seconds_after_finished=3600),
            component_values=job,
            talks_to=[s3],
        )


class BucketClaims(Part):
    """One ObjectBucketClaim per claim the connection names; ODF's provisioner makes a ConfigMap
    and a Secret of the claim's name (endpoint and bucket; keys) that the clients read."""

    def __init__(self, scope: constructs.Construct, id: str, *, store: DataStore, s3: ObjectStorageConnection) -> None:
        super().__init__(scope, id)
        odf = store.release.values.object_storage.odf
        for claim in sorted({b.claim for b in s3.buckets.values() if b.claim}):
            component = claim.removeprefix(f"{store.release.name}-")
            api_object(
                self,
                claim,
                kind=OBJECT_BUCKET_CLAIM,
                name=claim,
                labels=store.naming.labels(component),
                body={"spec": {"generateBucketName": claim, "storageClassName": odf.storage_class}},
            )
            store.operator_makes(
                "ConfigMap",
                claim,
                frozenset({"BUCKET_HOST", "BUCKET_NAME", "BUCKET_PORT", "BUCKET_REGION", "BUCKET_SUBREGION"}),
            )
            store.operator_makes("Secret", claim, frozenset({"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}))
