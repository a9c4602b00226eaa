"""Building blocks every values section uses: the base model, quantities, the patterns of strings
that reach a config, resources, images, Secret references, extra env and autoscaling. Nothing
here knows a component."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from ..core.naming import MAX_NAME_LENGTH
from ..edge.envoy.config import is_ip
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

# --- strings that reach a config -------------------------------------------------------------
# Every string the values hand to a config file, a URL, a command or an object's metadata has one
# of these types, so a value the config could not hold (or that would smuggle something into it)
# is a values error naming its field, before any construct runs.

_LABEL = r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"
_DNS_SUBDOMAIN = re.compile(rf"(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*")
_HOST_NAME = re.compile(rf"(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*", re.IGNORECASE)
_NAME = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?")
_PATH = re.compile(r"(/[A-Za-z0-9._~@+,=:-]*)+")
_URL = re.compile(
    r"(?P<scheme>https?)://(?P<host>\[[0-9A-Fa-f:.]+\]|[^/:?#\[\]]+)(:(?P<port>[0-9]{1,5}))?"
    r"(?P<path>/[^?#]*)?(\?(?P<query>[A-Za-z0-9._~%/:@+,=&-]*))?"
)
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_REPOSITORY = r"^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$"
_TOKEN = re.compile(r"[!-~]{1,128}")
_QUOTES = set("\"'`\\")
MAX_ANNOTATIONS_BYTES = 64 * 1024
"""The most the annotations a user adds to one object may hold (keys and values, UTF-8). The API
server refuses an object whose annotations total over 256 KiB, and ``kubectl apply`` copies the
whole object (these annotations included) into its last-applied-configuration annotation, so they
count twice next to the release's own: a quarter of the limit leaves room for both."""


def dns_subdomain(value: str) -> str:
    """A Kubernetes object name (RFC 1123 subdomain): lower-case labels of letters, digits and '-'."""
    if not _DNS_SUBDOMAIN.fullmatch(value):
        raise ValuesError(
            f"{value!r} is not a DNS subdomain (at most 253 lower-case letters, digits, '-' and '.', labels of at "
            "most 63 starting and ending with a letter or digit)"
        )
    return value


def host(value: str) -> str:
    """A host: an RFC 1123 host name (labels of letters, digits and '-') or an IP address."""
    if not _HOST_NAME.fullmatch(value) and not is_ip(value):
        raise ValuesError(
            f"{value!r} is not a host name (RFC 1123: labels of at most 63 letters, digits and '-', "
            "joined by '.') or an IP address"
        )
    return value


def _port_number(text: str, whole: str) -> None:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValuesError(f"port {text!r} of {whole!r} is not 1-65535")


def host_port(value: str) -> str:
    """``host:port``; an IPv6 host in brackets (``[::1]:9092``)."""
    name, sep, port = value.rpartition(":")
    if not sep:
        raise ValuesError(f"{value!r} is not host:port")
    try:
        host(name[1:-1] if name.startswith("[") and name.endswith("]") else name)
    except ValuesError as err:
        raise ValuesError(f"{value!r}: {err}") from None
    _port_number(port, value)
    return value


def host_ports(value: str) -> str:
    """``host:port[,host:port...]`` (a Kafka bootstrap list)."""
    entries = value.split(",")
    for entry in entries:
        try:
            host_port(entry)
        except ValuesError as err:
            raise ValuesError(f"{value!r}: {err}" if len(entries) > 1 else str(err)) from None
    return value


def url_path(value: str) -> str:
    """An absolute URL path, normalised: no empty, '.' or '..' segment (``//``, ``/./``, ``/../``) but a
    final '/', only letters, digits and ``._~@+,=:-`` in segments (no percent-encoding, which could hide a ``..``)."""
    segments = value.split("/")[1:]
    if not _PATH.fullmatch(value) or {"", ".", ".."} & set(segments[:-1]) or segments[-1] in (".", ".."):
        raise ValuesError(
            f"{value!r} is not a normalised absolute URL path ('/' then segments of letters, digits and "
            "._~@+,=:-; no '//', '.' or '..')"
        )
    return value


def path_prefix(value: str) -> str:
    """A URL path prefix routes are made under: a normalised absolute path without a final '/'."""
    url_path(value)
    if value.endswith("/"):
        raise ValuesError(f"{value!r} ends with '/': give the prefix without it (the routes add '/...')")
    return value


def url(value: str, *, schemes: tuple[str, ...] = ("http", "https"), path: bool = True) -> str:
    """``scheme://host[:port][/path][?query]``: a host as :func:`host`, no credentials, no fragment,
    nothing a config or a shell would read as syntax (quotes, whitespace, ``$``)."""
    match = _URL.fullmatch(value)
    if not match or match["scheme"] not in schemes or (not path and (match["path"] or match["query"])):
        shape = "://host[:port]" + ("[/path][?query]" if path else "")
        raise ValuesError(f"{value!r} is not an {' or '.join(schemes)} URL ({'|'.join(schemes)}{shape})")
    name = match["host"]
    try:
        host(name[1:-1] if name.startswith("[") else name)
        if match["port"]:
            _port_number(match["port"], value)
        if match["path"]:
            url_path(match["path"])
    except ValuesError as err:
        raise ValuesError(f"{value!r}: {err}") from None
    return value


def host_port_or_host(value: str) -> str:
    """``host`` or ``host:port`` (an image registry)."""
    return host_port(value) if ":" in value and not is_ip(value) else host(value)


def bucket_name(value: str) -> str:
    """An S3 bucket name (AWS's rules, which MinIO, ODF and Ceph RGW follow): 3-63 lower-case letters,
    digits, '.' and '-', starting and ending with a letter or digit, no '..', not an IP address."""
    if not _BUCKET.fullmatch(value) or ".." in value or ".-" in value or "-." in value or is_ip(value):
        raise ValuesError(
            f"{value!r} is not an S3 bucket name (3-63 lower-case letters, digits, '.' and '-', starting and ending "
            "with a letter or digit, no '..', not an IP address)"
        )
    return value


def token(value: str) -> str:
    """An audience or role name: 1-128 printable ASCII characters, no whitespace or quotes (it is
    written into Envoy's config and its Lua filter as a string)."""
    if not _TOKEN.fullmatch(value) or _QUOTES & set(value):
        raise ValuesError(f"{value!r} is not 1-128 printable ASCII characters without whitespace or quotes")
    return value


def qualified_name(value: str) -> str:
    """A label or annotation key: ``[prefix/]name``, the prefix a DNS subdomain."""
    prefix, slash, name = value.rpartition("/")
    if not _NAME.fullmatch(name) or (slash and not _DNS_SUBDOMAIN.fullmatch(prefix)):
        raise ValuesError(
            f"{value!r} is not a label key (an optional DNS subdomain and '/', then at most 63 letters, digits, "
            "'-', '_' and '.', starting and ending with a letter or digit)"
        )
    return value


def label_value(value: str) -> str:
    if value and not _NAME.fullmatch(value):
        raise ValuesError(
            f"{value!r} is not a label value (at most 63 letters, digits, '-', '_' and '.', "
            "starting and ending with a letter or digit)"
        )
    return value


def annotations_size(annotations: dict[str, str]) -> dict[str, str]:
    size = sum(len(k.encode()) + len(v.encode()) for k, v in annotations.items())
    if size > MAX_ANNOTATIONS_BYTES:
        raise ValuesError(
            f"the annotations hold {size} bytes, more than {MAX_ANNOTATIONS_BYTES} (the API server takes 256 KiB "
            "of annotations per object, which kubectl apply's last-applied copy and the release's own share)"
        )
    return annotations


DnsSubdomain = Annotated[str, AfterValidator(dns_subdomain)]
"""A Kubernetes object name (Secret, StorageClass, PriorityClass) or a public host (Ingress, Route)."""
Host = Annotated[str, AfterValidator(host)]
"""A server's host: a database, cache, RBAC service, Trino."""
HostPort = Annotated[str, AfterValidator(host_port)]
HostPorts = Annotated[str, AfterValidator(host_ports)]
UrlPath = Annotated[str, AfterValidator(url_path)]
PathPrefix = Annotated[str, AfterValidator(path_prefix)]
HttpUrl = Annotated[str, AfterValidator(url)]
HttpsUrl = Annotated[str, AfterValidator(lambda value: url(value, schemes=("https",)))]
Endpoint = Annotated[str, AfterValidator(lambda value: url(value, path=False))]
"""``scheme://host[:port]`` and nothing after it (an S3 endpoint)."""
BucketName = Annotated[str, AfterValidator(bucket_name)]
Token = Annotated[str, AfterValidator(token)]
QualifiedName = Annotated[str, AfterValidator(qualified_name)]
LabelValue = Annotated[str, AfterValidator(label_value)]
Labels = dict[QualifiedName, LabelValue]
Registry = Annotated[str, AfterValidator(host_port_or_host)]
"""An image registry: ``host`` or ``host:port``."""
Repository = Annotated[str, Field(pattern=_REPOSITORY, max_length=255)]
"""An image repository path, as the OCI distribution spec names them."""
Annotations = Annotated[dict[QualifiedName, str], AfterValidator(annotations_size)]


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

    registry: Registry = Field(description="Registry host, e.g. quay.io.")
    repository: Repository = Field(description="Repository path inside the registry.")
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
