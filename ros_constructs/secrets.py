"""Which Secret (and key) each credential comes from, and the Secrets the chart may create.

No credential is ever an env literal or a ConfigMap entry: each is a ``secretKeyRef`` or a
read-only file mount of a Secret. Every Secret is either the operator's (bitnami's
``existingSecret`` pattern) or takes the documented default name ``<release>-<what>``.
Four kinds can be generated: the Django key, the database login, the object storage keys and
the Sources PSK. The chart creates them only when ``costManagement.secrets.seed`` is set, with
values derived from the seed (the same seed gives the same values, so output stays
reproducible); otherwise :func:`required_secrets` lists what to create and how.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

import constructs
from cdk8s_plus_28 import k8s

from .naming import Naming
from .platform import platform_for
from .values import READ_REPLICA_FILES, Values


@dataclass(frozen=True, kw_only=True)
class SecretRef:
    name: str
    key: str
    optional: bool = False


def _name(values: Values, existing: str | None, what: str) -> str:
    return existing or f"{values.release}-{what}"


def django_secret_key(values: Values) -> SecretRef:
    ref = values.cost_management.django_secret_key
    return SecretRef(name=_name(values, ref.existing_secret, "django"), key=ref.key)


def database_credentials(values: Values) -> tuple[SecretRef, SecretRef]:
    """(user, password) of the Koku database."""
    db = values.cost_management.database
    name = _name(values, db.existing_secret, "koku-db")
    return SecretRef(name=name, key=db.user_key), SecretRef(name=name, key=db.password_key)


def object_storage_credentials(values: Values) -> tuple[SecretRef, SecretRef]:
    """(access key, secret key) of the S3-compatible object storage."""
    store = values.cost_management.object_storage
    name = _name(values, store.existing_secret, "object-storage")
    return SecretRef(name=name, key=store.access_key_key), SecretRef(name=name, key=store.secret_key_key)


def object_storage_endpoint(values: Values) -> str:
    """The configured endpoint, else the platform's in-cluster store (MinIO or ODF's S3 service)."""
    endpoint = values.cost_management.object_storage.endpoint
    if endpoint:
        return endpoint
    if platform_for(values.platform).object_storage == "odf":
        return "https://s3.openshift-storage.svc:443"
    return f"http://{values.release}-minio.{values.namespace}.svc:9000"


def aws_credentials(values: Values) -> tuple[SecretRef | None, SecretRef | None]:
    aws = values.cost_management.cloud_credentials.aws
    if not aws.enabled:
        return None, None
    name = _name(values, aws.existing_secret, "aws")
    return SecretRef(name=name, key=aws.access_key_id_key), SecretRef(name=name, key=aws.secret_access_key_key)


def aws_credentials_file(values: Values) -> SecretRef | None:
    aws = values.cost_management.cloud_credentials.aws
    if not aws.enabled or not aws.credentials_file_key:
        return None
    return SecretRef(name=_name(values, aws.existing_secret, "aws"), key=aws.credentials_file_key)


def gcp_credentials(values: Values) -> SecretRef | None:
    gcp = values.cost_management.cloud_credentials.gcp
    return SecretRef(name=_name(values, gcp.existing_secret, "gcp"), key=gcp.key) if gcp.enabled else None


def cache_password(values: Values) -> SecretRef | None:
    cache = values.cost_management.cache
    return SecretRef(name=cache.password_secret, key=cache.password_key) if cache.password_secret else None


def read_replica_secret(values: Values) -> str:
    return _name(values, values.cost_management.api.read_replica.existing_secret, "db-readreplica")


def sources_psk(values: Values) -> SecretRef:
    """Optional, as in Koku: pods start without it."""
    sources = values.cost_management.sources
    return SecretRef(name=_name(values, sources.psk_secret, "sources-psk"), key=sources.psk_key, optional=True)


def sentry_dsn(values: Values) -> SecretRef:
    """Optional, as in Koku: only read when Sentry is enabled."""
    sentry = values.cost_management.sentry
    return SecretRef(name=_name(values, sentry.dsn_secret, "sentry"), key=sentry.dsn_key, optional=True)


def extra_env_secrets(values: Values) -> list[SecretRef]:
    """The Secret references among the extraEnv entries that reach a rendered container.

    A container gets the tier-wide list, then its deployment's; an entry replaces an earlier one
    of the same name (``config.merge_env``), so only the surviving entries count.
    """
    cm = values.cost_management
    api, services = cm.api, cm.services
    own = [api.reads.extra_env, api.writes.extra_env] if api.mode == "split" else [api.unified.extra_env]
    if api.router.type == "nginx" or api.migrations.enabled:
        own.append([])  # the router and the migration Job get the tier-wide list only
    own += [cm.beat.extra_env] if cm.beat.enabled else []
    koku_services = (services.listener, services.sources_listener, services.masu, services.sources_client)
    own += [s.extra_env for s in koku_services if s.enabled]
    own += [p.extra_env for p in cm.workers.all_pools().values() if p.enabled]
    refs = []
    for extra in own:
        for e in {e.name: e for e in [*cm.extra_env, *extra]}.values():
            if e.secret_key_ref is not None and e.secret_key_ref.name:
                refs.append(SecretRef(name=e.secret_key_ref.name, key=e.secret_key_ref.key, optional=e.optional))
    return refs


@dataclass(frozen=True, kw_only=True)
class SecretPlan:
    """One Secret the output references: created by the chart or expected to exist."""

    name: str
    keys: tuple[str, ...]
    generated: bool
    generatable: bool = True
    """Random values work (the chart's own credentials) as opposed to values from a provider."""
    optional: bool = False
    literal: dict[str, str] | None = None
    """Non-secret keys written as they are (e.g. the database user name)."""


def _derive(seed: str, secret: str, key: str, length: int) -> str:
    """A stable random-looking value: HMAC-SHA256(seed, "<secret>/<key>"), hex."""
    return hmac.new(seed.encode(), f"{secret}/{key}".encode(), hashlib.sha256).hexdigest()[:length]


def secret_plans(values: Values) -> list[SecretPlan]:
    """Every Secret the Koku tier references, in a stable order."""
    cm = values.cost_management
    seeded = cm.secrets.seed is not None
    django = django_secret_key(values)
    user, password = database_credentials(values)
    access, secret = object_storage_credentials(values)
    psk = sources_psk(values)
    plans = [
        SecretPlan(name=django.name, keys=(django.key,), generated=seeded and not cm.django_secret_key.existing_secret),
        SecretPlan(
            name=user.name,
            keys=(password.key,),
            generated=seeded and not cm.database.existing_secret,
            literal={user.key: cm.database.user},
        ),
        SecretPlan(
            name=access.name, keys=(access.key, secret.key), generated=seeded and not cm.object_storage.existing_secret
        ),
        SecretPlan(name=psk.name, keys=(psk.key,), generated=seeded and not cm.sources.psk_secret, optional=True),
        SecretPlan(
            name=sentry_dsn(values).name, keys=(cm.sentry.dsn_key,), generated=False, generatable=False, optional=True
        ),
    ]
    aws_id, aws_key = aws_credentials(values)
    aws_file = aws_credentials_file(values)
    if aws_id and aws_key:
        keys = (aws_id.key, aws_key.key, *((aws_file.key,) if aws_file else ()))
        plans.append(SecretPlan(name=aws_id.name, keys=keys, generated=False, generatable=False))
    if cache := cache_password(values):
        plans.append(SecretPlan(name=cache.name, keys=(cache.key,), generated=False, generatable=False))
    if gcp := gcp_credentials(values):
        plans.append(SecretPlan(name=gcp.name, keys=(gcp.key,), generated=False, generatable=False))
    extra: dict[str, list[SecretRef]] = {}
    for ref in extra_env_secrets(values):
        extra.setdefault(ref.name, []).append(ref)
    for name, refs in extra.items():
        keys = tuple(sorted({r.key for r in refs}))
        plans.append(
            SecretPlan(name=name, keys=keys, generated=False, generatable=False, optional=all(r.optional for r in refs))
        )
    replica = cm.api.read_replica
    if replica.enabled and cm.api.mode == "split":
        keys = tuple(replica.keys[f] for f in READ_REPLICA_FILES)
        plans.append(
            SecretPlan(name=read_replica_secret(values), keys=keys, generated=False, optional=not replica.required)
        )
    return plans


def required_secrets(values: Values) -> list[tuple[str, list[str]]]:
    """Secrets that must exist outside the output: (name, keys), optional ones included."""
    return [(p.name, [*(p.literal or {}), *p.keys]) for p in secret_plans(values) if not p.generated]


def notes(values: Values) -> str:
    """Human instructions for the Secrets the operator creates (written next to the manifests)."""
    lines = [f"Secrets in namespace {values.namespace} that the Cost Management pods reference:", ""]
    for plan in secret_plans(values):
        if plan.generated:
            lines.append(f"- {plan.name}: generated from costManagement.secrets.seed (in the manifests)")
            continue
        state = "optional" if plan.optional else "REQUIRED"
        lines.append(f"- {plan.name} ({state}), keys: {', '.join([*(plan.literal or {}), *plan.keys])}")
        literals = " ".join(f"--from-literal={k}={v}" for k, v in (plan.literal or {}).items())
        randoms = " ".join(f"--from-literal={k}=$(openssl rand -hex 32)" for k in plan.keys)
        lines.append(
            f"    kubectl -n {values.namespace} create secret generic {plan.name} {literals} {randoms}".rstrip()
        )
    lines += [
        "",
        "Random values suit the Django key, database, object storage and PSK Secrets only if the",
        "database and object store are configured with the same values; cloud credentials, the",
        "Sentry DSN and the read-replica connection come from their providers.",
    ]
    return "\n".join(lines) + "\n"


class GeneratedSecrets(constructs.Construct):
    """The Secrets derived from ``costManagement.secrets.seed`` (none when it is unset)."""

    def __init__(self, scope: constructs.Construct, id: str, *, values: Values, naming: Naming) -> None:
        super().__init__(scope, id)
        seed = values.cost_management.secrets.seed
        for plan in secret_plans(values):
            if not plan.generated or seed is None:
                continue
            data = {**(plan.literal or {}), **{k: _derive(seed, plan.name, k, 64) for k in plan.keys}}
            component = plan.name.removeprefix(f"{values.release}-")
            k8s.KubeSecret(
                self,
                plan.name,
                metadata=k8s.ObjectMeta(name=plan.name, labels=naming.labels(component)),
                type="Opaque",
                string_data=dict(sorted(data.items())),
            )
