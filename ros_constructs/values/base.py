"""Building blocks every values section uses: the base model, quantities, resources, images,
Secret references, extra env and autoscaling. Nothing here knows a component."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from ..core.naming import MAX_NAME_LENGTH
from .errors import ValuesError

# --- quantities ------------------------------------------------------------------------------

_CPU = re.compile(r"^([0-9]+(\.[0-9]+)?)(m?)$")
_MEMORY = re.compile(r"^([0-9]+(\.[0-9]+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$")
_MEMORY_FACTOR = {
    None: 1,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
}


def _quantity_str(value: Any) -> Any:
    """YAML reads ``cpu: 1`` as an int; a quantity is a string."""
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def cpu_cores(quantity: str) -> Decimal:
    """``"500m"`` -> 0.5."""
    match = _CPU.match(quantity)
    if not match:
        raise ValueError(f"{quantity!r} is not a cpu quantity (e.g. 250m, 1, 1.5)")
    number = Decimal(match.group(1))
    return number / 1000 if match.group(3) else number


def memory_bytes(quantity: str) -> Decimal:
    """``"1Gi"`` -> 1073741824."""
    match = _MEMORY.match(quantity)
    if not match:
        raise ValueError(f"{quantity!r} is not a memory quantity (e.g. 512Mi, 1Gi)")
    return Decimal(match.group(1)) * _MEMORY_FACTOR[match.group(3)]


def _check_cpu(value: Any) -> str:
    if not isinstance(value, str):
        raise ValuesError(f"{value!r} is not a cpu quantity (e.g. 250m, 1, 1.5)")
    cpu_cores(value)
    return value


def _check_memory(value: Any) -> str:
    if not isinstance(value, str):
        raise ValuesError(f"{value!r} is not a memory quantity (e.g. 512Mi, 1Gi)")
    memory_bytes(value)
    return value


CpuQuantity = Annotated[str, BeforeValidator(_check_cpu), BeforeValidator(_quantity_str)]
MemoryQuantity = Annotated[str, BeforeValidator(_check_memory), BeforeValidator(_quantity_str)]
DnsLabel = Annotated[str, Field(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=MAX_NAME_LENGTH)]
INT32_MAX = 2**31 - 1
"""Kubernetes keeps replica counts, backoffLimit and KEDA's counts as int32: larger values fail at apply."""
Replicas = Annotated[int, Field(ge=0, le=INT32_MAX)]
Port = Annotated[int, Field(ge=1, le=65535)]
Count = Annotated[int, Field(ge=1, le=INT32_MAX)]
SecretKey = Annotated[str, Field(pattern=r"^[-._a-zA-Z0-9]+$")]
"""A key inside a Secret (also a file name when mounted)."""


class Model(BaseModel):
    """Base for every values section: camelCase keys, unknown keys rejected, immutable."""

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        frozen=True,
        validate_default=True,
        coerce_numbers_to_str=True,
    )


# --- shared building blocks ------------------------------------------------------------------


class ResourceRequests(Model):
    cpu: CpuQuantity = Field(description="CPU request.")
    memory: MemoryQuantity = Field(description="Memory request.")


class ResourceLimits(Model):
    cpu: CpuQuantity | None = Field(default=None, description="CPU limit; unset means none (throttling hurts latency).")
    memory: MemoryQuantity = Field(description="Memory limit (always set: an OOM kill beats a starved node).")


class Resources(Model):
    """Container resources: cpu and memory requests, a memory limit, an optional cpu limit."""

    requests: ResourceRequests
    limits: ResourceLimits

    @model_validator(mode="after")
    def _limits_cover_requests(self) -> Resources:
        if memory_bytes(self.limits.memory) < memory_bytes(self.requests.memory):
            raise ValuesError(f"limits.memory {self.limits.memory} is below requests.memory {self.requests.memory}")
        if self.limits.cpu is not None and cpu_cores(self.limits.cpu) < cpu_cores(self.requests.cpu):
            raise ValuesError(f"limits.cpu {self.limits.cpu} is below requests.cpu {self.requests.cpu}")
        return self


def resources(cpu: str, memory: str, *, cpu_limit: str | None, memory_limit: str) -> Resources:
    """Shorthand for stating defaults."""
    return Resources(
        requests=ResourceRequests(cpu=cpu, memory=memory),
        limits=ResourceLimits(cpu=cpu_limit, memory=memory_limit),
    )


class Image(Model):
    """One container image: ``registry/repository`` plus a tag, a digest, or both."""

    registry: str = Field(description="Registry host, e.g. quay.io.")
    repository: str = Field(description="Repository path inside the registry.")
    tag: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$",
        description="Tag; required unless a digest is given. Never 'latest'.",
    )
    digest: str | None = Field(
        default=None, pattern=r"^sha256:[a-f0-9]{64}$", description="Digest (sha256:...); wins over the tag."
    )

    @model_validator(mode="after")
    def _pinned(self) -> Image:
        if not self.tag and not self.digest:
            raise ValuesError("an image needs a tag or a digest")
        if self.tag == "latest" and not self.digest:
            raise ValuesError("tag 'latest' is not reproducible; pin a version tag or a digest")
        return self

    @property
    def ref(self) -> str:
        base = f"{self.registry}/{self.repository}"
        return f"{base}@{self.digest}" if self.digest else f"{base}:{self.tag}"

    @property
    def version(self) -> str:
        return self.tag or (self.digest or "")


class Images(Model):
    """Every image the charts use, and how to pull them."""

    pull_policy: Literal["IfNotPresent", "Always", "Never"] = Field(default="IfNotPresent")
    require_digests: bool = Field(default=False, description="Fail unless every image is pinned by digest.")
    pull_secrets: list[DnsLabel] = Field(default_factory=list, description="Image pull Secret names.")
    koku: Image = Field(
        default=Image(registry="quay.io", repository="redhat-services-prod/cost-mgmt-dev-tenant/koku", tag="d8055ac"),
        description="Koku (Cost Management) image: API, workers, beat, listeners, migrations.",
    )
    nginx: Image = Field(
        default=Image(registry="registry.access.redhat.com", repository="ubi9/nginx-124", tag="1"),
        description="nginx image of the API router.",
    )
    ros: Image = Field(
        default=Image(
            registry="quay.io",
            repository="redhat-services-prod/insights-management-tenant/insights-ocp-resource-optimization/ros-ocp-backend",
            tag="ae8c990",
        ),
        description="ROS-OCP backend: API, processor, poller, housekeeper, partition cleaner, migrations.",
    )
    kruize: Image = Field(
        default=Image(
            registry="quay.io", repository="redhat-services-prod/kruize-autotune-tenant/autotune", tag="d1f0140"
        ),
        description="Kruize (autotune) and its partition jobs.",
    )
    sources: Image = Field(
        default=Image(registry="quay.io", repository="insights-onprem/sources-api-go", tag="main"),
        description="sources-api-go.",
    )
    ingress: Image = Field(
        default=Image(registry="quay.io", repository="iop/ingress", tag="sha-b16f1c2"),
        description="insights-ingress-go, the Cost Management upload service. Pinned to the commit whose code the "
        "release's settings were checked against (b16f1c2): its GitHub workflow publishes every master commit as "
        "sha-<short commit>; the successor chart runs the moving master tag.",
    )
    ros_ingress: Image = Field(
        default=Image(registry="quay.io", repository="insights-onprem/insights-ros-ingress", tag="main"),
        description="insights-ros-ingress, the upload service (the tag follows its main branch: pin a digest).",
    )
    envoy: Image = Field(
        default=Image(registry="docker.io", repository="envoyproxy/envoy", tag="v1.32.13"),
        description="Envoy: the edge gateway and the authenticating sidecars.",
    )
    authorino: Image = Field(
        default=Image(registry="quay.io", repository="kuadrant/authorino", tag="v0.24.0"),
        description="Authorino: Kubernetes TokenReview for the ROS API (edge.auth.tokenReview).",
    )
    postgresql: Image = Field(
        default=Image(registry="docker.io", repository="library/postgres", tag="16"),
        description="PostgreSQL server (database.mode internal) and the database-ensuring Job's psql.",
    )
    redis: Image = Field(
        default=Image(registry="docker.io", repository="library/redis", tag="7.4"),
        description="Redis, the cache on Kubernetes (cache.mode deploy).",
    )
    valkey: Image = Field(
        default=Image(registry="registry.redhat.io", repository="rhel10/valkey-8", tag="10.1"),
        description="Valkey, the cache on OpenShift (cache.mode deploy).",
    )
    minio: Image = Field(
        default=Image(registry="quay.io", repository="minio/minio", tag="RELEASE.2025-07-23T15-54-02Z"),
        description="MinIO server (objectStorage.mode minio).",
    )
    minio_client: Image = Field(
        default=Image(registry="quay.io", repository="minio/mc", tag="RELEASE.2025-07-21T05-28-08Z"),
        description="MinIO client of the bucket Job.",
    )

    @model_validator(mode="after")
    def _digests(self) -> Images:
        if self.require_digests:
            images = {field.alias or name: getattr(self, name) for name, field in type(self).model_fields.items()}
            missing = [name for name, image in images.items() if isinstance(image, Image) and not image.digest]
            if missing:
                raise ValuesError(f"requireDigests is true but {', '.join(missing)} has no digest")
        return self


class SecretKeyRef(Model):
    """A key of an existing Secret (bitnami's ``existingSecret`` pattern)."""

    name: DnsLabel | None = Field(default=None, description="Secret name; unset means the documented default.")
    key: SecretKey = Field(description="Key inside the Secret.")


class ExistingSecret(Model):
    """The one shape of every credential's Secret: its name and, where its keys differ from the
    documented ones, a mapping from documented key to the key in your Secret."""

    name: DnsLabel | None = Field(
        default=None, description="Your Secret; unset: the chart's <release>-<what> (generated from secrets.seed)."
    )
    keys: dict[str, SecretKey] = Field(
        default_factory=dict, description="Documented key -> key in the Secret, for the keys that differ."
    )


class Credential(Model):
    """A section whose credentials live in one Secret with the documented keys ``SECRET_KEYS``."""

    SECRET_KEYS: ClassVar[tuple[str, ...]] = ()
    existing_secret: ExistingSecret = Field(default_factory=ExistingSecret)

    @model_validator(mode="after")
    def _known_keys(self) -> Credential:
        unknown = sorted(set(self.existing_secret.keys) - set(self.SECRET_KEYS))
        if unknown:
            raise ValuesError(
                f"existingSecret.keys has unknown key(s) {unknown}; the keys are {list(self.SECRET_KEYS)}"
            )
        return self

    def secret_key(self, documented: str) -> str:
        """The key in the Secret that holds ``documented``."""
        return self.existing_secret.keys.get(documented, documented)


SECRET_LIKE_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|_KEY$|KEY_ID$|DSN|PSK|CREDENTIALS", re.IGNORECASE)
"""Env names that must never carry a literal value (a file path is fine)."""
URL_CREDENTIALS = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@")
"""``scheme://user:password@host``: credentials inside a URL."""
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


FILE_PATH = re.compile(r"(?:/(?!\.\.?(?:/|$))[A-Za-z0-9._-]+){2,}")
"""A file under an absolute directory, of plain segments (no ``.``, ``..``, spaces, quotes or ``$``):
the only literal a secret-looking extraEnv name may hold (``GOOGLE_APPLICATION_CREDENTIALS=
/etc/gcp/key.json``). A password rarely has that shape; ``/hunter2`` or ``/x $(id)`` does not pass."""


class ExtraEnv(Model):
    """An extra env var: a literal ``value`` or a ``secretKeyRef`` (the only way for secret material)."""

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    value: str | None = None
    secret_key_ref: SecretKeyRef | None = None
    optional: bool = Field(default=False, description="With secretKeyRef: start even if the Secret is missing.")

    @model_validator(mode="after")
    def _one_source(self) -> ExtraEnv:
        if (self.value is None) == (self.secret_key_ref is None):
            raise ValuesError(f"extraEnv {self.name}: set exactly one of value and secretKeyRef")
        if self.value is not None and SECRET_LIKE_NAME.search(self.name) and not FILE_PATH.fullmatch(self.value):
            raise ValuesError(
                f"extraEnv {self.name} looks secret; reference a Secret with secretKeyRef instead"
                " (a literal is only allowed as an absolute file path)"
            )
        if self.value is not None and URL_CREDENTIALS.search(self.value):
            raise ValuesError(f"extraEnv {self.name} has credentials in a URL; reference a Secret with secretKeyRef")
        if self.secret_key_ref is not None and self.secret_key_ref.name is None:
            raise ValuesError(f"extraEnv {self.name}: secretKeyRef needs a name")
        return self


class Autoscaling(Model):
    """A CPU HorizontalPodAutoscaler; when enabled the Deployment leaves ``replicas`` to it."""

    enabled: bool = False
    min_replicas: Count = 2
    max_replicas: Count = 10
    target_cpu_utilization_percentage: Annotated[int, Field(ge=1, le=100)] = 75

    @model_validator(mode="after")
    def _min_below_max(self) -> Autoscaling:
        if self.min_replicas > self.max_replicas:
            raise ValuesError(f"minReplicas {self.min_replicas} is above maxReplicas {self.max_replicas}")
        return self
