"""Which Secret key each Koku-only credential comes from, how each of those Secrets is made,
and which services outside the output Koku's settings point at.

Data-store credentials (database login, cache password, object storage keys) belong to the
connections in ``ros_constructs.data``; this module covers Koku's own: the Django key, the
Sources PSK, Sentry, cloud credentials and extraEnv references. Plain Python.
"""

from __future__ import annotations

from dataclasses import replace

from ..core.naming import object_name
from ..core.secrets import SecretPlan, SecretRef, credential_ref, plan
from ..values import Values


def _default(values: Values, what: str) -> str:
    return object_name(values.release, what)


def django_secret_key(values: Values) -> SecretRef:
    return credential_ref(values.cost_management.django_secret_key, _default(values, "django"), "django-secret-key")


def sources_psk(values: Values) -> SecretRef:
    """Optional, as in Koku: pods start without it."""
    return credential_ref(values.cost_management.sources, _default(values, "sources-psk"), "psk", optional=True)


def sentry_dsn(values: Values) -> SecretRef:
    """Optional, as in Koku: only read when Sentry is enabled."""
    return credential_ref(values.cost_management.sentry, _default(values, "sentry"), "dsn", optional=True)


def aws_credentials(values: Values) -> tuple[SecretRef | None, SecretRef | None]:
    aws = values.cost_management.cloud_credentials.aws
    if not aws.enabled:
        return None, None
    default = _default(values, "aws")
    return credential_ref(aws, default, "aws_access_key_id"), credential_ref(aws, default, "aws_secret_access_key")


def aws_credentials_file(values: Values) -> SecretRef | None:
    aws = values.cost_management.cloud_credentials.aws
    if not aws.enabled or not aws.credentials_file:
        return None
    return credential_ref(aws, _default(values, "aws"), "aws-credentials")


def gcp_credentials(values: Values) -> SecretRef | None:
    gcp = values.cost_management.cloud_credentials.gcp
    return credential_ref(gcp, _default(values, "gcp"), "gcp-credentials") if gcp.enabled else None


SENTRY_PLACEHOLDERS = {"dsn": "<DSN from your Sentry project's Client Keys settings>"}
AWS_PLACEHOLDERS = {
    "aws_access_key_id": "<access key ID of the IAM user that reads your Cost and Usage Reports>",
    "aws_secret_access_key": "<secret access key of the IAM user that reads your Cost and Usage Reports>",
    "aws-credentials": "<path to an AWS shared credentials file for the IAM user that reads your reports>",
}
GCP_PLACEHOLDERS = {"gcp-credentials": "<path to the JSON key of a Google Cloud service account with billing access>"}
"""Where the values of credentials that come from a provider are found (NOTES.txt placeholders)."""


def koku_secret_plans(values: Values) -> list[SecretPlan]:
    """How Koku's own credential Secrets are made: the Django key and the PSK may be generated;
    the others come from their providers."""
    cm, seed = values.cost_management, values.secrets.seed
    plans = [
        plan(cm.django_secret_key, _default(values, "django"), seed=seed),
        plan(cm.sources, _default(values, "sources-psk"), seed=seed),
        plan(cm.sentry, _default(values, "sentry"), seed=seed, generatable=False, placeholders=SENTRY_PLACEHOLDERS),
    ]
    aws = cm.cloud_credentials.aws
    if aws.enabled:
        aws_plan = plan(
            aws,
            _default(values, "aws"),
            seed=seed,
            generatable=False,
            placeholders=AWS_PLACEHOLDERS,
            file_keys=["aws-credentials"],
        )
        if not aws.credentials_file:
            aws_plan = replace(aws_plan, keys=aws_plan.keys[:2])
        plans.append(aws_plan)
    gcp = cm.cloud_credentials.gcp
    if gcp.enabled:
        plans.append(
            plan(
                gcp,
                _default(values, "gcp"),
                seed=seed,
                generatable=False,
                placeholders=GCP_PLACEHOLDERS,
                file_keys=["gcp-credentials"],
            )
        )
    return plans


def koku_prerequisites(values: Values) -> list[str]:
    """What Koku's settings point at outside the output (NOTES.txt names them)."""
    cm, found = values.cost_management, []
    if cm.workers.scales_on_prometheus:
        found.append(f"Prometheus at {cm.workers.keda.prometheus.server_address} for KEDA's trigger, and KEDA")
    if cm.prometheus.pushgateway:
        found.append(f"a Prometheus pushgateway at {cm.prometheus.pushgateway}")
    if cm.api.router.type == "gatewayApi":
        for parent in cm.api.router.gateway.parent_refs:
            found.append(f"Gateway {parent.namespace + '/' if parent.namespace else ''}{parent.name} (Gateway API)")
    if cm.api.router.ros_api.service:
        found.append(f"the ROS API Service {cm.api.router.ros_api.service}:{cm.api.router.ros_api.port}")
    return found
