"""``Workload``: the one construct that owns pods.

Every pod of every chart is built here, so hardening, probes, resources, env, mounts, the
Service, the PodDisruptionBudget and autoscaling are decided once. A Workload renders a
Deployment (default), StatefulSet, Job or CronJob from typed props:

* Pod Security Standards "restricted" on both platforms: non-root, seccomp RuntimeDefault,
  every capability dropped, no privilege escalation, a read-only root filesystem with an
  emptyDir at ``/tmp``; a fixed UID/GID only where the platform does not assign one.
* ``automountServiceAccountToken: false`` unless asked for.
* cpu and memory requests and a memory limit on every container (from :class:`Resources`).
* A PodDisruptionBudget (``maxUnavailable: 1``, ``unhealthyPodEvictionPolicy: AlwaysAllow``)
  whenever more than one pod may run, and an optional CPU HorizontalPodAutoscaler, in which
  case ``replicas`` is left to the autoscaler.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypedDict, Unpack

import cdk8s
import constructs
from cdk8s_plus_28 import k8s

from .naming import Naming, check_dns_label
from .platform import Platform
from .values import Autoscaling, Resources

TMP_PATH = "/tmp"
TMP_VOLUME = "tmp"

# --- ports and probes ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Port:
    """A named container port; ``expose`` puts it on the Service (as ``service_port``)."""

    name: str
    container_port: int
    service_port: int | None = None
    expose: bool = True


class ProbeTiming(TypedDict, total=False):
    initial_delay_seconds: int
    period_seconds: int
    timeout_seconds: int
    failure_threshold: int


@dataclass(frozen=True, kw_only=True)
class Probe:
    """A probe: exactly one of HTTP GET (path on a named port), TCP or exec. Kubernetes defaults."""

    http_path: str | None = None
    port: str | None = None
    command: Sequence[str] | None = None
    initial_delay_seconds: int = 0
    period_seconds: int = 10
    timeout_seconds: int = 1
    failure_threshold: int = 3

    @staticmethod
    def http(path: str, port: str, *, prefix: str = "", **timing: Unpack[ProbeTiming]) -> Probe:
        """HTTP GET ``<prefix><path>`` on a named container port."""
        return Probe(http_path=f"{prefix}{path}", port=port, **timing)

    @staticmethod
    def tcp(port: str, **timing: Unpack[ProbeTiming]) -> Probe:
        return Probe(port=port, **timing)

    @staticmethod
    def exec(command: Sequence[str], **timing: Unpack[ProbeTiming]) -> Probe:
        return Probe(command=tuple(command), **timing)

    def render(self) -> k8s.Probe:
        if self.command is None and self.port is None:
            raise ValueError("a probe needs a port (http or tcp) or a command (exec)")
        port = k8s.IntOrString.from_string(self.port) if self.port and self.command is None else None
        return k8s.Probe(
            exec=k8s.ExecAction(command=list(self.command)) if self.command is not None else None,
            http_get=k8s.HttpGetAction(path=self.http_path, port=port, scheme="HTTP")
            if port and self.http_path is not None
            else None,
            tcp_socket=k8s.TcpSocketAction(port=port) if port and self.http_path is None else None,
            initial_delay_seconds=self.initial_delay_seconds or None,
            period_seconds=self.period_seconds,
            timeout_seconds=self.timeout_seconds,
            failure_threshold=self.failure_threshold,
        )


class ProbeSet(TypedDict):
    """The three probes of a container, to spread into :class:`Container`."""

    startup: Probe
    liveness: Probe
    readiness: Probe


# --- environment -----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class EnvVar:
    """One container env var from a literal, a ConfigMap or Secret key, or a field reference.

    Build it with the ``literal`` / ``config_map`` / ``secret`` / ``field_ref`` /
    ``resource_ref`` helpers below rather than by hand.
    """

    name: str
    value: str | None = None
    config_map: str | None = None
    secret: str | None = None
    key: str | None = None
    optional: bool = False
    field_path: str | None = None
    resource: str | None = None
    container: str | None = None
    divisor: str | None = None

    def render(self) -> k8s.EnvVar:
        if self.config_map is not None:
            ref = k8s.ConfigMapKeySelector(name=self.config_map, key=self.key or "", optional=self.optional)
            return k8s.EnvVar(name=self.name, value_from=k8s.EnvVarSource(config_map_key_ref=ref))
        if self.secret is not None:
            sref = k8s.SecretKeySelector(name=self.secret, key=self.key or "", optional=self.optional)
            return k8s.EnvVar(name=self.name, value_from=k8s.EnvVarSource(secret_key_ref=sref))
        if self.field_path is not None:
            fref = k8s.ObjectFieldSelector(field_path=self.field_path)
            return k8s.EnvVar(name=self.name, value_from=k8s.EnvVarSource(field_ref=fref))
        if self.resource is not None:
            rref = k8s.ResourceFieldSelector(
                resource=self.resource,
                container_name=self.container,
                divisor=k8s.Quantity.from_string(self.divisor) if self.divisor else None,
            )
            return k8s.EnvVar(name=self.name, value_from=k8s.EnvVarSource(resource_field_ref=rref))
        return k8s.EnvVar(name=self.name, value=self.value if self.value is not None else "")


def literal(name: str, value: str | int | bool) -> EnvVar:
    """A literal value; booleans render as Python/Django style ``True``/``False``."""
    return EnvVar(name=name, value=str(value))


def config_map(name: str, config_map_name: str, key: str, *, optional: bool = False) -> EnvVar:
    return EnvVar(name=name, config_map=config_map_name, key=key, optional=optional)


def secret(name: str, secret_name: str, key: str, *, optional: bool = False) -> EnvVar:
    return EnvVar(name=name, secret=secret_name, key=key, optional=optional)


def field_ref(name: str, field_path: str) -> EnvVar:
    return EnvVar(name=name, field_path=field_path)


def resource_ref(name: str, resource: str, *, container: str | None = None, divisor: str | None = None) -> EnvVar:
    return EnvVar(name=name, resource=resource, container=container, divisor=divisor)


# --- volumes ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class EmptyDir:
    size_limit: str | None = None
    medium: Literal["Memory"] | None = None


@dataclass(frozen=True, kw_only=True)
class SecretFiles:
    """Files from a Secret; always mounted read-only."""

    secret_name: str
    items: Mapping[str, str] | None = None
    """Secret key -> file path inside the mount; None projects every key."""
    optional: bool = False
    default_mode: int = 0o440


@dataclass(frozen=True, kw_only=True)
class ConfigMapFiles:
    config_map_name: str
    items: Mapping[str, str] | None = None
    optional: bool = False
    default_mode: int = 0o444


VolumeSource = EmptyDir | SecretFiles | ConfigMapFiles


@dataclass(frozen=True, kw_only=True)
class Mount:
    """A volume and where the main container mounts it."""

    name: str
    path: str
    source: VolumeSource
    read_only: bool = False
    sub_path: str | None = None

    def render_volume(self) -> k8s.Volume:
        src = self.source
        if isinstance(src, EmptyDir):
            size = k8s.Quantity.from_string(src.size_limit) if src.size_limit else None
            return k8s.Volume(name=self.name, empty_dir=k8s.EmptyDirVolumeSource(medium=src.medium, size_limit=size))
        items = [k8s.KeyToPath(key=k, path=p) for k, p in sorted(src.items.items())] if src.items else None
        if isinstance(src, SecretFiles):
            return k8s.Volume(
                name=self.name,
                secret=k8s.SecretVolumeSource(
                    secret_name=src.secret_name, items=items, optional=src.optional, default_mode=src.default_mode
                ),
            )
        return k8s.Volume(
            name=self.name,
            config_map=k8s.ConfigMapVolumeSource(
                name=src.config_map_name, items=items, optional=src.optional, default_mode=src.default_mode
            ),
        )

    def render_mount(self) -> k8s.VolumeMount:
        read_only = self.read_only or isinstance(self.source, SecretFiles | ConfigMapFiles)
        return k8s.VolumeMount(name=self.name, mount_path=self.path, read_only=read_only, sub_path=self.sub_path)


# --- containers and the workload -------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Container:
    """One container of a pod. The main container is named after the workload."""

    image: str
    resources: Resources
    name: str | None = None
    command: Sequence[str] | None = None
    args: Sequence[str] | None = None
    env: Sequence[EnvVar] = ()
    mounts: Sequence[Mount] = ()
    ports: Sequence[Port] = ()
    liveness: Probe | None = None
    readiness: Probe | None = None
    startup: Probe | None = None
    pre_stop: Sequence[str] | None = None
    """Command run before SIGTERM (its time counts against the grace period), e.g. to drain."""


@dataclass(frozen=True, kw_only=True)
class RollingUpdate:
    """Zero-downtime default: add a pod before taking one away."""

    max_surge: str = "25%"
    max_unavailable: str | int = 0


@dataclass(frozen=True, kw_only=True)
class Recreate:
    """Stop every old pod before starting new ones (singletons such as Celery beat)."""


@dataclass(frozen=True, kw_only=True)
class VolumeClaim:
    """A StatefulSet volume claim template mounted into the main container."""

    name: str
    path: str
    size: str
    storage_class: str | None = None


WorkloadKind = Literal["Deployment", "StatefulSet", "Job", "CronJob"]


@dataclass(frozen=True, kw_only=True)
class WorkloadProps:
    """Everything a pod-owning object needs. Defaults suit a stateless web Deployment."""

    component: str
    naming: Naming
    platform: Platform
    container: Container
    init_containers: Sequence[Container] = ()
    kind: WorkloadKind = "Deployment"
    replicas: int | None = 1
    """None: an external autoscaler (a KEDA ScaledObject) owns the replica count."""
    autoscaling: Autoscaling | None = None
    strategy: RollingUpdate | Recreate = field(default_factory=RollingUpdate)
    termination_grace_period_seconds: int = 30
    spread: bool = True
    """Spread pods over nodes and zones (ScheduleAnyway, so small clusters still schedule)."""
    pod_annotations: Mapping[str, str] = field(default_factory=dict)
    image_pull_policy: str = "IfNotPresent"
    image_pull_secrets: Sequence[str] = ()
    service_account_name: str | None = None
    automount_service_account_token: bool = False
    volume_claims: Sequence[VolumeClaim] = ()
    schedule: str | None = None
    """CronJob schedule (CronJob only)."""
    backoff_limit: int = 3
    active_deadline_seconds: int | None = None
    ttl_seconds_after_finished: int | None = None

    def __post_init__(self) -> None:
        if self.replicas is not None and self.replicas < 0:
            raise ValueError(f"{self.component}: replicas {self.replicas} is less than 0")
        if (self.kind == "CronJob") != (self.schedule is not None):
            raise ValueError(f"{self.component}: a schedule is required for a CronJob and only for one")
        if self.automount_service_account_token and not self.service_account_name:
            raise ValueError(f"{self.component}: mounting a token needs a dedicated serviceAccountName")
        if self.kind in ("Job", "CronJob") and self.autoscaling and self.autoscaling.enabled:
            raise ValueError(f"{self.component}: a {self.kind} cannot be autoscaled")
        mounts: dict[str, Mount] = {}
        for c in (self.container, *self.init_containers):
            port_names = {p.name for p in c.ports}
            for probe in (c.liveness, c.readiness, c.startup):
                if probe and probe.port and probe.port not in port_names:
                    raise ValueError(
                        f"{self.component}: probe port {probe.port!r} is not a named port of its container"
                    )
            for mount in c.mounts:
                if mount.name == TMP_VOLUME or mounts.setdefault(mount.name, mount).source != mount.source:
                    raise ValueError(f"{self.component}: volume name {mount.name!r} is taken")

    @property
    def autoscaled(self) -> bool:
        return bool(self.autoscaling and self.autoscaling.enabled)

    @property
    def may_run_several_pods(self) -> bool:
        return self.long_running and (self.replicas is None or self.replicas > 1 or self.autoscaled)

    @property
    def long_running(self) -> bool:
        return self.kind in ("Deployment", "StatefulSet")


class Workload(constructs.Construct):
    """Renders one pod-owning object plus its Service, PodDisruptionBudget and autoscaler."""

    def __init__(self, scope: constructs.Construct, id: str, props: WorkloadProps) -> None:
        super().__init__(scope, id)
        self.props = props
        self.name = props.naming.name(props.component)
        self.labels = props.naming.labels(props.component)
        self.selector = props.naming.selector(props.component)
        exposed = [p for p in props.container.ports if p.expose]
        self.service_name: str | None = self.name if exposed and props.long_running else None

        template = self._pod_template()
        meta = k8s.ObjectMeta(name=self.name, labels=self.labels)
        if props.kind == "Deployment":
            k8s.KubeDeployment(self, "Deployment", metadata=meta, spec=self._deployment_spec(template))
        elif props.kind == "StatefulSet":
            k8s.KubeStatefulSet(self, "StatefulSet", metadata=meta, spec=self._stateful_set_spec(template))
        elif props.kind == "Job":
            job = k8s.KubeJob(self, "Job", metadata=meta, spec=self._job_spec(template))
            # A Job's template is immutable: name it after its spec, so a changed spec is a new Job
            # and re-applying an unchanged one is a no-op.
            spec_hash = hashlib.sha256(json.dumps(job.to_json()["spec"], sort_keys=True).encode()).hexdigest()
            self.name = check_dns_label(f"{self.name}-{spec_hash[:10]}", f"name of Job {props.component!r}")
            job.add_json_patch(cdk8s.JsonPatch.replace("/metadata/name", self.name))
        else:
            k8s.KubeCronJob(
                self,
                "CronJob",
                metadata=meta,
                spec=k8s.CronJobSpec(
                    schedule=props.schedule or "",
                    concurrency_policy="Forbid",
                    job_template=k8s.JobTemplateSpec(
                        metadata=k8s.ObjectMeta(labels=self.labels), spec=self._job_spec(template)
                    ),
                ),
            )
        if self.service_name:
            self._service(exposed)
        if props.may_run_several_pods:
            self._disruption_budget()
        if props.autoscaled and props.autoscaling:
            self._autoscaler(props.autoscaling)

    # -- pod ------------------------------------------------------------------------------------

    def _pod_template(self) -> k8s.PodTemplateSpec:
        p = self.props
        main = self._container(p.container, self.name)
        inits = [self._container(c, c.name or f"{self.name}-init-{i}") for i, c in enumerate(p.init_containers)]
        mounts = {m.name: m for c in (p.container, *p.init_containers) for m in c.mounts}
        volumes = [k8s.Volume(name=TMP_VOLUME, empty_dir=k8s.EmptyDirVolumeSource())]
        volumes += [m.render_volume() for _, m in sorted(mounts.items())]
        uid = p.platform.run_as_user
        spec = k8s.PodSpec(
            containers=[main],
            init_containers=inits or None,
            volumes=volumes,
            security_context=k8s.PodSecurityContext(
                run_as_non_root=True,
                run_as_user=uid,
                run_as_group=uid,
                fs_group=uid,
                fs_group_change_policy="OnRootMismatch" if uid is not None else None,
                seccomp_profile=k8s.SeccompProfile(type="RuntimeDefault"),
            ),
            automount_service_account_token=p.automount_service_account_token,
            service_account_name=p.service_account_name,
            enable_service_links=False,
            termination_grace_period_seconds=p.termination_grace_period_seconds,
            image_pull_secrets=[k8s.LocalObjectReference(name=s) for s in p.image_pull_secrets] or None,
            restart_policy=None if p.long_running else "Never",
            topology_spread_constraints=self._spread() if p.spread and p.long_running else None,
        )
        annotations = dict(sorted(p.pod_annotations.items())) or None
        return k8s.PodTemplateSpec(metadata=k8s.ObjectMeta(labels=self.labels, annotations=annotations), spec=spec)

    def _container(self, c: Container, name: str) -> k8s.Container:
        p = self.props
        mounts = [k8s.VolumeMount(name=TMP_VOLUME, mount_path=TMP_PATH)]
        mounts += [m.render_mount() for m in c.mounts]
        mounts += [k8s.VolumeMount(name=v.name, mount_path=v.path) for v in p.volume_claims if c is p.container]
        limits = {"memory": k8s.Quantity.from_string(c.resources.limits.memory)}
        if c.resources.limits.cpu:
            limits["cpu"] = k8s.Quantity.from_string(c.resources.limits.cpu)
        return k8s.Container(
            name=name,
            image=c.image,
            image_pull_policy=p.image_pull_policy,
            command=list(c.command) if c.command else None,
            args=list(c.args) if c.args else None,
            env=[e.render() for e in c.env] or None,
            ports=[k8s.ContainerPort(name=pt.name, container_port=pt.container_port, protocol="TCP") for pt in c.ports]
            or None,
            volume_mounts=mounts,
            resources=k8s.ResourceRequirements(
                requests={
                    "cpu": k8s.Quantity.from_string(c.resources.requests.cpu),
                    "memory": k8s.Quantity.from_string(c.resources.requests.memory),
                },
                limits=limits,
            ),
            liveness_probe=c.liveness.render() if c.liveness else None,
            readiness_probe=c.readiness.render() if c.readiness else None,
            startup_probe=c.startup.render() if c.startup else None,
            lifecycle=k8s.Lifecycle(pre_stop=k8s.LifecycleHandler(exec=k8s.ExecAction(command=list(c.pre_stop))))
            if c.pre_stop
            else None,
            security_context=k8s.SecurityContext(
                allow_privilege_escalation=False,
                privileged=False,
                read_only_root_filesystem=True,
                run_as_non_root=True,
                capabilities=k8s.Capabilities(drop=["ALL"]),
            ),
        )

    def _spread(self) -> list[k8s.TopologySpreadConstraint]:
        return [
            k8s.TopologySpreadConstraint(
                max_skew=1,
                topology_key=key,
                when_unsatisfiable="ScheduleAnyway",
                label_selector=k8s.LabelSelector(match_labels=self.selector),
            )
            for key in ("kubernetes.io/hostname", "topology.kubernetes.io/zone")
        ]

    # -- controllers ----------------------------------------------------------------------------

    def _replicas(self) -> int | None:
        return None if self.props.autoscaled else self.props.replicas

    def _deployment_spec(self, template: k8s.PodTemplateSpec) -> k8s.DeploymentSpec:
        strategy = self.props.strategy
        if isinstance(strategy, Recreate):
            rendered = k8s.DeploymentStrategy(type="Recreate")
        else:
            rendered = k8s.DeploymentStrategy(
                type="RollingUpdate",
                rolling_update=k8s.RollingUpdateDeployment(
                    max_surge=_int_or_string(strategy.max_surge),
                    max_unavailable=_int_or_string(strategy.max_unavailable),
                ),
            )
        return k8s.DeploymentSpec(
            replicas=self._replicas(),
            revision_history_limit=3,
            selector=k8s.LabelSelector(match_labels=self.selector),
            strategy=rendered,
            template=template,
        )

    def _stateful_set_spec(self, template: k8s.PodTemplateSpec) -> k8s.StatefulSetSpec:
        p = self.props
        claims = [
            k8s.KubePersistentVolumeClaimProps(
                metadata=k8s.ObjectMeta(name=v.name, labels=self.labels),
                spec=k8s.PersistentVolumeClaimSpec(
                    access_modes=["ReadWriteOnce"],
                    storage_class_name=v.storage_class or p.platform.storage_class,
                    resources=k8s.ResourceRequirements(requests={"storage": k8s.Quantity.from_string(v.size)}),
                ),
            )
            for v in p.volume_claims
        ]
        return k8s.StatefulSetSpec(
            replicas=self._replicas(),
            service_name=self.service_name or self.name,
            selector=k8s.LabelSelector(match_labels=self.selector),
            template=template,
            volume_claim_templates=claims or None,
        )

    def _job_spec(self, template: k8s.PodTemplateSpec) -> k8s.JobSpec:
        p = self.props
        return k8s.JobSpec(
            backoff_limit=p.backoff_limit,
            active_deadline_seconds=p.active_deadline_seconds,
            ttl_seconds_after_finished=p.ttl_seconds_after_finished,
            template=template,
        )

    # -- companions -----------------------------------------------------------------------------

    def _service(self, ports: Sequence[Port]) -> None:
        headless = self.props.kind == "StatefulSet"
        k8s.KubeService(
            self,
            "Service",
            metadata=k8s.ObjectMeta(name=self.service_name, labels=self.labels),
            spec=k8s.ServiceSpec(
                type="ClusterIP",
                cluster_ip="None" if headless else None,
                selector=self.selector,
                ports=[
                    k8s.ServicePort(
                        name=pt.name,
                        port=pt.service_port or pt.container_port,
                        target_port=k8s.IntOrString.from_string(pt.name),
                        protocol="TCP",
                    )
                    for pt in ports
                ],
            ),
        )

    def _disruption_budget(self) -> None:
        k8s.KubePodDisruptionBudget(
            self,
            "DisruptionBudget",
            metadata=k8s.ObjectMeta(name=self.name, labels=self.labels),
            spec=k8s.PodDisruptionBudgetSpec(
                max_unavailable=k8s.IntOrString.from_number(1),
                selector=k8s.LabelSelector(match_labels=self.selector),
                unhealthy_pod_eviction_policy="AlwaysAllow",
            ),
        )

    def _autoscaler(self, scaling: Autoscaling) -> None:
        kind = "StatefulSet" if self.props.kind == "StatefulSet" else "Deployment"
        k8s.KubeHorizontalPodAutoscalerV2(
            self,
            "Autoscaler",
            metadata=k8s.ObjectMeta(name=self.name, labels=self.labels),
            spec=k8s.HorizontalPodAutoscalerSpecV2(
                scale_target_ref=k8s.CrossVersionObjectReferenceV2(api_version="apps/v1", kind=kind, name=self.name),
                min_replicas=scaling.min_replicas,
                max_replicas=scaling.max_replicas,
                metrics=[
                    k8s.MetricSpecV2(
                        type="Resource",
                        resource=k8s.ResourceMetricSourceV2(
                            name="cpu",
                            target=k8s.MetricTargetV2(
                                type="Utilization", average_utilization=scaling.target_cpu_utilization_percentage
                            ),
                        ),
                    )
                ],
            ),
        )


def _int_or_string(value: str | int) -> k8s.IntOrString:
    return k8s.IntOrString.from_number(value) if isinstance(value, int) else k8s.IntOrString.from_string(value)
