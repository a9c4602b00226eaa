"""insights-ingress-go's env table: what the upload service reads outside Clowder. Plain Python.

The program reads its settings through viper with the prefix ``INGRESS_`` (the key upper-cased),
so every name here is the program's own (``tests/test_startup_contracts.py`` cites them). It stores an
upload in the upload bucket and announces it on ``platform.upload.announce`` with a presigned
URL signed for ``INGRESS_MINIOENDPOINT``, which Koku's listener then downloads.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from ..core.env_table import EnvTable, derived, fixed, from_secret, from_store, from_values, go_bool
from ..data.connections import Bucket, StoreContext
from ..data.topics import PAYLOAD_STATUS, UPLOAD_ANNOUNCE

INGRESS_APP = "insights-ingress-go"
COMPONENT = "ingress"
WEB_PORT = 8080
"""The port of the ROS-only upload service it replaces, so ``<release>-ingress:8080`` serves
``/api/ingress/`` in both modes (the program's default 3000 and the successor chart's 8081 are
arbitrary)."""
METRICS_PORT = 9000
"""The stack's metrics port (Koku, ros-ocp-backend); it must be set, since the program's default
8080 would collide with WEB_PORT."""
KAFKA_CLIENT = "ingress"
"""Its Kafka identity (``<release>-ingress`` KafkaUser with Strimzi SCRAM)."""
UPLOAD_TYPE = "hccm"
"""The service part of the metrics operator's content type (``application/vnd.redhat.hccm.tar+tgz``);
Koku's listener processes only messages whose ``service`` header is this."""


class IngressRole(StrEnum):
    """The one container of the table."""

    INGRESS = "ingress"


I = {IngressRole.INGRESS}  # noqa: E741 - the table's only role


def _upload(ctx: StoreContext) -> Bucket:
    return ctx.stores.object_storage.buckets["upload"]


def _kafka_login(ctx: StoreContext, part: str) -> Any:
    login = ctx.stores.kafka.login(KAFKA_CLIENT)
    return getattr(login, part) if login else None


INGRESS_ENV: EnvTable[Any] = EnvTable(
    [
        fixed("INGRESS_WEBPORT", WEB_PORT, I),
        fixed("INGRESS_METRICSPORT", METRICS_PORT, I),
        from_values("INGRESS_LOGLEVEL", "costManagement.upload.logLevel", I),
        fixed("INGRESS_AUTH", True, I, "fixed: the identity is the front door's x-rh-identity header"),
        fixed("INGRESS_VALID_UPLOAD_TYPES", UPLOAD_TYPE, I, "fixed: Koku takes only hccm uploads"),
        from_values("INGRESS_DEFAULTMAXSIZE", "costManagement.upload.maxSize", I),
        from_values("INGRESS_MAXUPLOADMEM", "costManagement.upload.maxMemory", I),
        # storage: minio-go wants host:port; on ODF the construct composes it from the claim's ConfigMap
        fixed("INGRESS_STAGERIMPLEMENTATION", "s3", I),
        derived("INGRESS_MINIOENDPOINT", "objectStorage.mode", I, lambda t: t.stores.object_storage.host_port[0]),
        derived("INGRESS_USESSL", "objectStorage.mode", I, lambda t: t.stores.object_storage.host_port[1]),
        derived("INGRESS_STORAGEREGION", "objectStorage.region", I, lambda t: t.stores.object_storage.region),
        from_store("INGRESS_STAGEBUCKET", "objectStorage.buckets.upload", I, lambda t: _upload(t).name),
        from_secret("INGRESS_MINIOACCESSKEY", "objectStorage", I, lambda t: _upload(t).access_key),
        from_secret("INGRESS_MINIOSECRETKEY", "objectStorage", I, lambda t: _upload(t).secret_key),
        derived("SSL_CERT_FILE", "objectStorage.external.ca", I, lambda t: t.stores.object_storage.ca_file),
        # Kafka: the program sets the security protocol only with a SASL mechanism (values reject SSL alone)
        derived("INGRESS_KAFKABROKERS", "kafka.bootstrapServers", I, lambda t: t.stores.kafka.bootstrap_servers),
        fixed("INGRESS_KAFKAANNOUNCETOPIC", UPLOAD_ANNOUNCE, I, "fixed: Koku's listener consumes it"),
        fixed("INGRESS_KAFKATRACKERTOPIC", PAYLOAD_STATUS, I),
        derived(
            "INGRESS_KAFKASECURITYPROTOCOL", "kafka.securityProtocol", I, lambda t: t.stores.kafka.security_protocol
        ),
        derived("INGRESS_SASLMECHANISM", "kafka.sasl.mechanism", I, lambda t: t.stores.kafka.sasl_mechanism),
        from_store("INGRESS_KAFKAUSERNAME", "kafka.sasl", I, lambda t: _kafka_login(t, "username")),
        from_secret("INGRESS_KAFKAPASSWORD", "kafka.sasl", I, lambda t: _kafka_login(t, "password")),
        derived("INGRESS_KAFKACA", "kafka.ca", I, lambda t: t.stores.kafka.ca_file),
    ],
    roles=[IngressRole],
    render_bool=go_bool,
)
"""The upload service's env; on ODF the construct adds the endpoint from the bucket claim."""
