"""Cost Management (Koku) workloads: the API tier, the Celery worker fleet, beat and services."""

from __future__ import annotations

import functools
import re
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, model_validator

from .base import (
    INT32_MAX,
    Autoscaling,
    Count,
    DnsLabel,
    DnsSubdomain,
    Host,
    HttpUrl,
    LogLevel,
    Model,
    PathPrefix,
    Port,
    Replicas,
    Resources,
    resources,
)
from .errors import ValuesError, did_you_mean, given
from .pods import Component

# --- Cost Management (Koku) -----------------------------------------------------------------


class Gunicorn(Model):
    workers: Annotated[int, Field(ge=1, le=64)] = Field(default=3, description="GUNICORN_WORKERS.")
    threads: bool = Field(default=True, description="GUNICORN_THREADS: threads = 2 * POD_CPU_LIMIT + 1.")


class ApiDeployment(Component):
    """One Gunicorn API Deployment (reads, writes or unified)."""

    replicas: Replicas
    resources: Resources = Field(
        default=resources("250m", "512Mi", cpu_limit="500m", memory_limit="1Gi"),
        description="Koku's api-reads/api-writes defaults. The cpu limit sets POD_CPU_LIMIT.",
    )
    gunicorn: Gunicorn = Field(default_factory=Gunicorn)
    autoscaling: Autoscaling = Field(default_factory=Autoscaling)


class GatewayParentRef(Model):
    name: DnsLabel
    namespace: DnsLabel | None = None
    section_name: DnsSubdomain | None = Field(default=None, description="The Gateway listener to attach to.")


class GatewayRouter(Model):
    parent_refs: list[GatewayParentRef] = Field(
        default_factory=lambda: [GatewayParentRef(name="cost-onprem-gateway")],
        description="Gateways the HTTPRoute attaches to.",
    )
    hostnames: list[DnsSubdomain] = Field(default_factory=list, description="Host names the HTTPRoute matches.")


class RosApiUpstream(Model):
    """Where ``<prefix>/v1/recommendations/`` goes. Unset service: api-writes, as in Koku."""

    service: DnsLabel | None = Field(default=None, description="ROS API Service name.")
    port: Annotated[int, Field(ge=1, le=65535)] = 8000


class Router(Component):
    """Splits API traffic: GET/HEAD to reads, every other method to writes."""

    type: Literal["nginx", "gatewayApi"] = Field(
        default="nginx", description="nginx Deployment (any cluster) or a Gateway API HTTPRoute."
    )
    replicas: Replicas = 2
    resources: Resources = Field(default=resources("100m", "100Mi", cpu_limit=None, memory_limit="200Mi"))
    gateway: GatewayRouter = Field(default_factory=GatewayRouter)
    ros_api: RosApiUpstream = Field(default_factory=RosApiUpstream)


class ReadReplica(Model):
    """Send api-reads' database connection to a streaming replica of Koku's database.

    Outside Clowder Koku has one database alias, so every api-reads query goes to the replica,
    with Koku's own login; a user's first request (which records the user) must then reach
    api-writes' primary first. With ``database.mode: cloudnativepg`` the host defaults to the
    cluster's ``-ro`` Service."""

    enabled: bool = False
    host: Host | None = Field(default=None, description="Replica host; default the CloudNativePG -ro Service.")
    port: Port = 5432


class Migrations(Component):
    """Database migrations: a Job named after a hash of its spec, so a new image or setting runs
    it again and re-applying an unchanged output does not."""

    enabled: bool = True
    backoff_limit: Replicas = 3
    active_deadline_seconds: Annotated[int, Field(ge=60, le=INT32_MAX)] = 3600
    resources: Resources = Field(default=resources("1", "1Gi", cpu_limit=None, memory_limit="2Gi"))


UPLOAD_ROUTE = "/api/ingress/"
"""Where the metrics operator uploads (insights-ingress-go, or insights-ros-ingress in ROS-only mode)."""


class Api(Model):
    """The Cost Management API tier: its Deployments (split or unified), the router, a read replica, migrations."""

    mode: Literal["split", "unified"] = Field(
        default="split", description="split: api-reads + api-writes; unified: one api Deployment."
    )
    path_prefix: PathPrefix = Field(
        default="/api/cost-management",
        description="API_PATH_PREFIX: the API's routes are <prefix>/ and <prefix>/v1/recommendations/ (ROS); "
        "neither may hold or lie under the upload route /api/ingress/.",
    )
    reads: ApiDeployment = Field(
        default=ApiDeployment(replicas=3, autoscaling=Autoscaling(enabled=True, min_replicas=3, max_replicas=10))
    )
    writes: ApiDeployment = Field(default=ApiDeployment(replicas=2))
    unified: ApiDeployment = Field(default=ApiDeployment(replicas=2))
    router: Router = Field(default_factory=Router)
    read_replica: ReadReplica = Field(default_factory=ReadReplica)
    migrations: Migrations = Field(default_factory=Migrations)

    @model_validator(mode="after")
    def _own_routes(self) -> Api:
        """The edge, the Ingress and the Routes send each route to one Service: an API prefix that held
        the upload route, or lay under it, would hand one service's paths to the other."""
        api = f"{self.path_prefix}/"
        if api.startswith(UPLOAD_ROUTE) or UPLOAD_ROUTE.startswith(api):
            raise ValuesError(
                f"{self.path_prefix!r} makes the route {api!r}, which overlaps the upload route {UPLOAD_ROUTE!r}; "
                "choose a prefix outside it (the default is /api/cost-management)",
                at="pathPrefix",
            )
        return self

    @model_validator(mode="after")
    def _replica_needs_reads(self) -> Api:
        if self.mode == "unified" and self.read_replica.enabled:
            raise ValuesError("readReplica needs mode 'split': only api-reads may use the replica")
        return self


# --- Celery workers, beat and the other Koku services ----------------------------------------

QUEUE_NAME = r"^[a-z0-9]([a-z0-9_]*[a-z0-9])?$"
"""Lower-case letters, digits and '_': the queue is also part of Prometheus series names."""
WorkerAutoscaling = Literal["none", "hpa", "keda"]
CRON = r"^\S+( \S+){4}$"
UTC_TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class WorkerPool(Component):
    """One Deployment ``<release>-worker-<queue with _ as ->`` consuming its queue and ``alsoConsumes``."""

    enabled: bool = True
    also_consumes: list[str] = Field(
        default_factory=list,
        description="Further queues this Deployment consumes (celery -Q), e.g. ocp_xl and ocp_penalty on the ocp "
        "pool; Koku's queues or extraPools names.",
    )
    replicas: Replicas = Field(default=1, description="Static replicas (when not autoscaled).")
    resources: Resources = Field(default=resources("100m", "256Mi", cpu_limit="200m", memory_limit="512Mi"))
    concurrency: Annotated[int, Field(ge=1, le=64)] = Field(default=1, description="celery --concurrency.")
    prefetch_multiplier: Annotated[int, Field(ge=1)] = Field(default=1, description="celery --prefetch-multiplier.")
    max_tasks_per_child: Annotated[int, Field(ge=1)] = Field(default=10, description="celery --max-tasks-per-child.")
    gossip: bool = Field(default=False, description="false adds --without-gossip (Koku: only the celery pool gossips).")
    max_task_seconds: Count = Field(
        default=3600, description="Longest task the pool runs; a pod gets at least this long to finish it on shutdown."
    )
    termination_grace_period_seconds: Count | None = Field(
        default=None, description="Default maxTaskSeconds + 60 (warm shutdown finishes running tasks)."
    )
    autoscaling: WorkerAutoscaling | None = Field(default=None, description="Unset: the fleet's workers.autoscaling.")
    scales_on_backlog: bool = Field(
        default=False,
        description="Under fleet autoscaling 'keda' this pool gets a ScaledObject (Koku's 12 KEDA pools).",
    )
    min_replicas: Replicas = 1
    max_replicas: Count = 10
    fallback_replicas: Count = Field(default=3, description="KEDA replicas while metrics fail.")
    keda_threshold: Annotated[float, Field(gt=0)] = Field(
        default=13.5,
        description="KEDA target backlog per replica (Prometheus threshold; Redis listLength, rounded up).",
    )
    backlog_alert_threshold: Annotated[int, Field(ge=1)] = Field(default=100, description="Messages before alerting.")

    @model_validator(mode="after")
    def _consistent(self) -> WorkerPool:
        if self.min_replicas > self.max_replicas:
            raise ValuesError(f"minReplicas {self.min_replicas} is above maxReplicas {self.max_replicas}")
        if self.fallback_replicas > self.max_replicas:
            raise ValuesError(f"fallbackReplicas {self.fallback_replicas} is above maxReplicas {self.max_replicas}")
        grace = self.termination_grace_period_seconds
        if grace is not None and grace < self.max_task_seconds:
            raise ValuesError(f"terminationGracePeriodSeconds {grace} is below maxTaskSeconds {self.max_task_seconds}")
        repeated = sorted({q for q in self.also_consumes if self.also_consumes.count(q) > 1})
        if repeated:
            raise ValuesError(f"alsoConsumes lists {repeated} more than once")
        return self

    @property
    def grace_period_seconds(self) -> int:
        return self.termination_grace_period_seconds or self.max_task_seconds + 60


QUEUE_SUFFIXES = ("_xl", "_penalty")
"""Koku splits a queue family into base, extra-large and penalty queues."""


def _pool(cpu: str, memory: str, cpu_limit: str, memory_limit: str, **fields: Any) -> WorkerPool:
    return WorkerPool(resources=resources(cpu, memory, cpu_limit=cpu_limit, memory_limit=memory_limit), **fields)


@functools.cache
def _koku_pools() -> dict[str, WorkerPool]:
    """Koku's 22 queues with the replicas, resources and KEDA settings of Koku's ``deploy/clowdapp.yaml``."""
    pools: dict[str, WorkerPool] = {"celery": _pool("100m", "256Mi", "200m", "512Mi", gossip=True)}
    families: dict[str, dict[str, Any]] = {
        "cost_model": {"scales_on_backlog": True},
        "download": {"scales_on_backlog": True, "keda_threshold": 19.5, "res": ("200m", "512Mi", "400m", "1Gi")},
        "ocp": {"scales_on_backlog": True},
        "priority": {"replicas": 2, "res": ("100m", "400Mi", "200m", "750Mi")},
        "refresh": {"replicas": 2},
        "summary": {"scales_on_backlog": True, "res": ("100m", "500Mi", "200m", "750Mi")},
    }
    for family, fields in families.items():
        res = fields.pop("res", ("100m", "256Mi", "200m", "512Mi"))
        for suffix in ("", *QUEUE_SUFFIXES):
            sized = ("150m", "400Mi", "300m", "750Mi") if family == "priority" and suffix else res
            pools[f"{family}{suffix}"] = _pool(*sized, **fields)
    pools["hcs"] = _pool("100m", "300Mi", "200m", "500Mi")
    # Koku ships both SUBS pools at 0 replicas, but its orchestrator sends extract_subs_data_from_reports to
    # subs_extraction in the same chord as the summary and hcs tasks for every processed cloud-cost manifest,
    # whatever the settings (the task checks the feature itself), so that queue is consumed by default.
    pools["subs_extraction"] = _pool("100m", "300Mi", "200m", "500Mi")
    pools["subs_transmission"] = _pool("100m", "300Mi", "200m", "500Mi", replicas=0)
    return pools


KOKU_QUEUES: tuple[str, ...] = tuple(_koku_pools())


def queue_family(queue: str) -> str:
    """``download_xl`` -> ``download``: Koku gives a family's pools the same env."""
    for suffix in QUEUE_SUFFIXES:
        if queue.endswith(suffix):
            return queue.removesuffix(suffix)
    return queue


KOKU_FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(queue_family(q) for q in KOKU_QUEUES))


class KedaPrometheus(Model):
    server_address: HttpUrl = Field(
        default="http://prometheus-operated.monitoring.svc:9090", description="Prometheus the trigger queries."
    )


class KedaRedis(Model):
    """Redis list-length trigger on the Celery broker (list = queue); auth from costManagement.cache."""

    database_index: Annotated[int, Field(ge=0)] = Field(default=1, description="Koku's broker is Redis DB 1.")


class Keda(Model):
    trigger: Literal["prometheus", "redis"] = "prometheus"
    polling_interval: Count = 30
    cooldown_period: Replicas = 300
    prometheus: KedaPrometheus = Field(default_factory=KedaPrometheus)
    redis: KedaRedis = Field(default_factory=KedaRedis)


class WorkerAlerts(Model):
    """PrometheusRule: ``koku:celery:<queue>_queue`` recording rules, backlog and no-consumer alerts."""

    enabled: bool | None = Field(
        default=None, description="Unset: on when a pool scales on the Prometheus trigger or monitoring.alerts is on."
    )
    backlog_for: str = Field(default="30m", pattern=r"^[0-9]+[smh]$")
    no_consumer_for: str = Field(default="10m", pattern=r"^[0-9]+[smh]$")


class Workers(Model):
    """The Celery worker fleet: Koku's queues plus any added in ``extraPools``."""

    log_level: LogLevel = Field(default="INFO", description="CELERY_LOG_LEVEL.")
    proc_alive_timeout: Annotated[int, Field(ge=1)] = Field(default=4, description="WORKER_PROC_ALIVE_TIMEOUT.")
    autoscaling: WorkerAutoscaling = Field(
        default="none", description="none: static replicas; hpa: CPU HPA per pool; keda: ScaledObjects."
    )
    hpa_target_cpu_utilization_percentage: Annotated[int, Field(ge=1, le=100)] = 75
    keda: Keda = Field(default_factory=Keda)
    alerts: WorkerAlerts = Field(default_factory=WorkerAlerts)
    pools: dict[str, WorkerPool] = Field(
        default_factory=lambda: dict(_koku_pools()), description="Koku's queues (keys fixed)."
    )
    extra_pools: dict[str, WorkerPool] = Field(default_factory=dict, description="Additional queues, one pool each.")

    @model_validator(mode="after")
    def _queues(self) -> Workers:
        for queue in self.pools:
            if queue not in KOKU_QUEUES:
                raise ValuesError(
                    f"{queue!r} is not one of Koku's queues{did_you_mean(queue, KOKU_QUEUES)}; "
                    "add new queues under extraPools",
                    at=f"pools.{queue}",
                )
        for queue in self.extra_pools:
            if not re.match(QUEUE_NAME, queue):
                fixed = queue.replace("-", "_")
                hint = f" (did you mean {fixed!r}?)" if re.match(QUEUE_NAME, fixed) else ""
                raise ValuesError(f"{queue!r} is not a valid queue name ({QUEUE_NAME}){hint}", at=f"extraPools.{queue}")
            if queue in KOKU_QUEUES:
                raise ValuesError(f"{queue!r} is Koku's queue; configure it under pools", at=f"extraPools.{queue}")
        known = [*KOKU_QUEUES, *self.extra_pools]
        for section, pools in (("pools", self.pools), ("extraPools", self.extra_pools)):
            for queue, pool in pools.items():
                for other in pool.also_consumes:
                    if other not in known:
                        raise ValuesError(
                            f"{other!r} is not a known queue{did_you_mean(other, known)}; "
                            "list Koku's queues or extraPools names",
                            at=f"{section}.{queue}.alsoConsumes",
                        )
                    if other == queue:
                        raise ValuesError(f"{other!r} is the pool's own queue", at=f"{section}.{queue}.alsoConsumes")
        return self

    @model_validator(mode="after")
    def _keda_owns_replicas(self, info: ValidationInfo) -> Workers:
        """A pool's ``replicas`` under KEDA would be ignored (the ScaledObject owns them): say so. Under ``hpa`` it
        is the HPA's floor, so it only errs above ``maxReplicas`` (where it would be clamped)."""
        for section, pools in (("pools", self.pools), ("extraPools", self.extra_pools)):
            for queue, pool in pools.items():
                if not given(
                    info, f"costManagement.workers.{section}.{queue}.replicas", pool, _koku_pools().get(queue)
                ):
                    continue
                mode, path = self.mode(pool), f"{section}.{queue}.replicas"
                if mode == "keda":
                    raise ValuesError(
                        f"{pool.replicas} is ignored while the pool scales with KEDA (its ScaledObject owns replicas); "
                        "set minReplicas/maxReplicas instead, or autoscaling none",
                        at=path,
                    )
                if mode == "hpa" and pool.replicas > pool.max_replicas:
                    raise ValuesError(
                        f"{pool.replicas} is above maxReplicas {pool.max_replicas}, which wins while the pool has an "
                        "HPA; raise maxReplicas or set autoscaling none",
                        at=path,
                    )
        return self

    def queues_of(self, queue: str, pool: WorkerPool) -> tuple[str, ...]:
        """What a pool's Deployment consumes: its own queue, then ``alsoConsumes``."""
        return (queue, *pool.also_consumes)

    def consumers(self, *, running: bool) -> dict[str, list[str]]:
        """Queue -> the pools consuming it, over enabled pools (``running``: only those with pods or KEDA)."""
        found: dict[str, list[str]] = {}
        for name, pool in self.all_pools().items():
            if pool.enabled and (not running or pool.replicas > 0 or self.mode(pool) == "keda"):
                for queue in self.queues_of(name, pool):
                    found.setdefault(queue, []).append(name)
        return found

    def all_pools(self) -> dict[str, WorkerPool]:
        """Every pool, Koku's (with overrides merged) first, in a stable order."""
        koku = _koku_pools()
        return {**{q: self.pools.get(q, koku[q]) for q in KOKU_QUEUES}, **self.extra_pools}

    @property
    def scales_on_prometheus(self) -> bool:
        """Some enabled pool uses the KEDA Prometheus trigger (so the recording rules must exist)."""
        keda = [p for p in self.all_pools().values() if p.enabled and self.mode(p) == "keda"]
        return bool(keda) and self.keda.trigger == "prometheus"

    def mode(self, pool: WorkerPool) -> WorkerAutoscaling:
        """The autoscaling a pool actually gets."""
        if pool.autoscaling is not None:
            return pool.autoscaling
        if self.autoscaling == "keda" and not pool.scales_on_backlog:
            return "none"
        return self.autoscaling


class BeatSchedule(Model):
    """Koku's beat toggles: env of the scheduler, each field named after the Koku variable it sets.

    At the pinned Koku (d8055ac) the beat also registers, with no toggle, ``delete_source_beat``,
    ``scrape_azure_storage_capacities``, ``crawl_account_hierarchy`` and ``finalize_hcs_reports``
    (``koku/koku/celery.py:191-230``): SaaS tasks that on-prem find nothing to do, except the
    Azure scraper's daily request to azure.microsoft.com. Koku skips them with ONPREM only from
    41894f4f (``register_saas_only_beats``).
    """

    report_checks: bool = Field(
        default=False,
        description="SCHEDULE_REPORT_CHECKS: hourly check_report_updates, which polls only non-OCP sources "
        "(Koku d8055ac api/provider/models.py:76-85) and on-prem has only OCP ones, pushed by upload. "
        "Off is Koku's default (koku/celery.py:136).",
    )
    report_download_schedule: str = Field(
        default="0 * * * *", pattern=CRON, description="REPORT_DOWNLOAD_SCHEDULE; read only with reportChecks."
    )
    source_status_schedule: str = Field(
        default="0 3 * * *",
        pattern=CRON,
        description="SOURCE_STATUS_SCHEDULE: when source_status_beat runs; Koku d8055ac registers it always "
        "(koku/celery.py:197-207). On-prem it marks each source's provider active and logs that it cannot "
        "reach the SaaS Sources API (sources/api/source_status.py:52-63,103-123).",
    )
    remove_expired_report_data_on_day: Annotated[int, Field(ge=0, le=28)] = Field(
        default=1, description="REMOVE_EXPIRED_REPORT_DATA_ON_DAY; 0 disables data removal."
    )
    remove_expired_report_utc_time: str = Field(default="00:00", pattern=UTC_TIME)
    vacuum_data_day_of_week: str = Field(default="", pattern=r"^([0-6]|[a-z]{3})?$", description="Empty: daily.")
    vacuum_data_utc_time: str = Field(default="00:00", pattern=UTC_TIME)


class Beat(Component):
    """The single Celery beat scheduler."""

    enabled: bool = True
    replicas: Annotated[int, Field(ge=0, le=1)] = Field(default=1, description="0 or 1: two beats duplicate tasks.")
    resources: Resources = Field(default=resources("50m", "200Mi", cpu_limit="100m", memory_limit="400Mi"))
    schedule: BeatSchedule = Field(default_factory=BeatSchedule)


class KokuService(Component):
    """A Koku service Deployment other than the API and workers."""

    enabled: bool = True
    replicas: Replicas = 1
    resources: Resources


class Services(Model):
    """Koku's listener and masu Deployments. Koku's sources-listener and sources-client serve the SaaS
    Sources API, which on-prem Koku replaces with its own ``/api/cost-management/v1/sources``."""

    listener: KokuService = Field(
        default=KokuService(replicas=2, resources=resources("150m", "300Mi", cpu_limit="300m", memory_limit="600Mi"))
    )
    masu: KokuService = Field(
        default=KokuService(resources=resources("50m", "500Mi", cpu_limit="100m", memory_limit="700Mi"))
    )


class UploadService(Component):
    """insights-ingress-go: takes the metrics operator's uploads at ``/api/ingress/``, stores each in
    the upload bucket and announces it to Koku's listener."""

    replicas: Replicas = Field(
        default=1, description="Each cluster's operator uploads every few hours: one pod serves them."
    )
    resources: Resources = Field(
        default_factory=lambda: resources("100m", "256Mi", cpu_limit=None, memory_limit="512Mi"),
        description="Container resources; the memory limit leaves room for several uploads' maxMemory at once.",
    )
    max_size: Annotated[int, Field(ge=1024)] = Field(
        default=104857600,
        description="INGRESS_DEFAULTMAXSIZE (bytes): a larger upload gets 413 (100 MiB, the program's default and "
        "the successor chart's).",
    )
    max_memory: Annotated[int, Field(ge=1024)] = Field(
        default=33554432,
        description="INGRESS_MAXUPLOADMEM (bytes) of a multipart upload held in memory, the rest spills to the /tmp "
        "emptyDir (32 MiB, the successor chart's: a usual operator upload stays in memory).",
    )
    log_level: Literal["DEBUG", "INFO", "ERROR"] = Field(
        default="INFO", description="INGRESS_LOGLEVEL (the program knows these three)."
    )
