"""``Workload``: the one construct that owns pods.

Every pod of every chart is built here, so hardening, probes, resources, env, mounts, the
Service, the PodDisruptionBudget and autoscaling are decided once. The controller comes from
one spec per kind (:class:`DeploymentKind`, :class:`StatefulSetKind`, :class:`JobKind`,
:class:`CronJobKind`):

* Pod Security Standards "restricted" on both platforms: non-root, seccomp RuntimeDefault,
  every capability dropped, no privilege escalation, a read-only root filesystem with an
  emptyDir at ``/tmp``; a fixed UID/GID only where the platform does not assign one.
* ``automountServiceAccountToken: false`` unless asked for.
* cpu and memory requests and a memory limit on every container.
* A PodDisruptionBudget (``maxUnavailable: 1``, ``unhealthyPodEvictionPolicy: AlwaysAllow``)
  whenever more than one pod may run, and an optional CPU HorizontalPodAutoscaler, in which
  case ``replicas`` is left to the autoscaler.

Output leaves Kubernetes defaults out (probe timings, ``optional: false``, TCP), so a
reviewer reads only what was chosen. Every Secret and ConfigMap a pod reads is recorded in
the :class:`References` registry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import cdk8s
import constructs
from cdk8s_plus_28 import k8s

from ..values import Autoscaling
from .naming import Naming, check_dns_label
from .platform import Platform
from .pod import (
    TMP_PATH,
    TMP_VOLUME,
    ConfigMapFiles,
    ConfigMapKey,
    Container,
    EmptyDir,
    EnvVar,
    FieldRef,
    LiteralValue,
    Mount,
    ObjectFiles,
    Port,
    Probe,
    SecretFiles,
)
from .references import References
from .secrets import SecretRef

# --- one spec per controller kind -----------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RollingUpdate:
    """Zero-downtime default: add a pod before taking one away."""

    max_surge: str = "25%"
    max_unavailable: str | int = 0


@dataclass(frozen=True, kw_only=True)
class Recreate:
    """Stop every old pod before starting new ones (singletons such as Celery beat)."""


@dataclass(frozen=True, kw_only=True)
class DeploymentKind:
    replicas: int | None = 1
    """None: an external autoscaler (a KEDA ScaledObject) owns the replica count."""
    autoscaling: Autoscaling | None = None
    strategy: RollingUpdate | Recreate = field(default_factory=RollingUpdate)
    spread: bool = True
    """Spread pods over nodes and zones (ScheduleAnyway, so small clusters still schedule)."""


@dataclass(frozen=True, kw_only=True)
class VolumeClaim:
    """A StatefulSet volume claim template mounted into the main container."""

    name: str
    path: str
    size: str
    storage_class: str | None = None


@dataclass(frozen=True, kw_only=True)
class StatefulSetKind:
    replicas: int = 1
    volume_claims: Sequence[VolumeClaim] = ()
    spread: bool = True


@dataclass(frozen=True, kw_only=True)
class JobKind:
    backoff_limit: int = 3
    active_deadline_seconds: int | None = None
    ttl_seconds_after_finished: int | None = None


@dataclass(frozen=True, kw_only=True)
class CronJobKind:
    schedule: str
    job: JobKind = field(default_factory=JobKind)


Controller = DeploymentKind | StatefulSetKind | JobKind | CronJobKind


@dataclass(frozen=True, kw_only=True)
class WorkloadProps:
    """Everything a pod-owning object needs. Defaults suit a stateless web Deployment."""

    component: str
    naming: Naming
    platform: Platform
    container: Container
    init_containers: Sequence[Container] = ()
    controller: Controller = field(default_factory=DeploymentKind)
    termination_grace_period_seconds: int = 30
    pod_annotations: Mapping[str, str] = field(default_factory=dict)
    image_pull_policy: str = "IfNotPresent"
    image_pull_secrets: Sequence[str] = ()
    service_account_name: str | None = None
    automount_service_account_token: bool = False
    references: References | None = None
    """Where the Secrets and ConfigMaps the pods read are recorded (the release's registry)."""
    scanner_exceptions: Mapping[str, str] = field(default_factory=dict)
    """Policy-scanner check id -> why it does not apply to this workload (``checkov.io/skip``)."""

    def __post_init__(self) -> None:
        c = self.controller
        replicas = c.replicas if isinstance(c, DeploymentKind | StatefulSetKind) else None
        if replicas is not None and replicas < 0:
            raise ValueError(f"{self.component}: replicas {replicas} is less than 0")
        if self.automount_service_account_token and not self.service_account_name:
            raise ValueError(f"{self.component}: mounting a token needs a dedicated serviceAccountName")
        mounts: dict[str, Mount] = {}
        for container in (self.container, *self.init_containers):
            port_names = {p.name for p in container.ports}
            for probe in (container.liveness, container.readiness, container.startup):
                if probe and probe.port and probe.port not in port_names:
                    raise ValueError(
                        f"{self.component}: probe port {probe.port!r} is not a named port of its container"
                    )
            for mount in container.mounts:
                if mount.name == TMP_VOLUME or mounts.setdefault(mount.name, mount).source != mount.source:
                    raise ValueError(f"{self.component}: volume name {mount.name!r} is taken")

    @property
    def autoscaled(self) -> bool:
        c = self.controller
        return isinstance(c, DeploymentKind) and bool(c.autoscaling and c.autoscaling.enabled)

    @property
    def long_running(self) -> bool:
        return isinstance(self.controller, DeploymentKind | StatefulSetKind)

    @property
    def may_run_several_pods(self) -> bool:
        c = self.controller
        if not isinstance(c, DeploymentKind | StatefulSetKind):
            return False
        return c.replicas is None or c.replicas > 1 or self.autoscaled


# --- rendering the pod's parts --------------------------------------------------------------


def _render_probe(probe: Probe) -> k8s.Probe:
    port = k8s.IntOrString.from_string(probe.port) if probe.port and probe.command is None else None
    return k8s.Probe(
        exec=k8s.ExecAction(command=list(probe.command)) if probe.command is not None else None,
        http_get=k8s.HttpGetAction(path=probe.http_path, port=port) if port and probe.http_path is not None else None,
        tcp_socket=k8s.TcpSocketAction(port=port) if port and probe.http_path is None else None,
        initial_delay_seconds=probe.initial_delay_seconds or None,
        period_seconds=probe.period_seconds if probe.period_seconds != 10 else None,
        timeout_seconds=probe.timeout_seconds if probe.timeout_seconds != 1 else None,
        failure_threshold=probe.failure_threshold if probe.failure_threshold != 3 else None,
    )


def _render_env(env: EnvVar) -> k8s.EnvVar:
    src = env.source
    if isinstance(src, LiteralValue):
        return k8s.EnvVar(name=env.name, value=src.value)
    if isinstance(src, ConfigMapKey):
        cref = k8s.ConfigMapKeySelector(name=src.name, key=src.key, optional=src.optional or None)
        return k8s.EnvVar(name=env.name, value_from=k8s.EnvVarSource(config_map_key_ref=cref))
    if isinstance(src, SecretRef):
        sref = k8s.SecretKeySelector(name=src.name, key=src.key, optional=src.optional or None)
        return k8s.EnvVar(name=env.name, value_from=k8s.EnvVarSource(secret_key_ref=sref))
    if isinstance(src, FieldRef):
        fref = k8s.ObjectFieldSelector(field_path=src.field_path)
        return k8s.EnvVar(name=env.name, value_from=k8s.EnvVarSource(field_ref=fref))
    rref = k8s.ResourceFieldSelector(
        resource=src.resource,
        container_name=src.container,
        divisor=k8s.Quantity.from_string(src.divisor) if src.divisor else None,
    )
    return k8s.EnvVar(name=env.name, value_from=k8s.EnvVarSource(resource_field_ref=rref))


def _render_volume(mount: Mount) -> k8s.Volume:
    src = mount.source
    if isinstance(src, EmptyDir):
        size = k8s.Quantity.from_string(src.size_limit) if src.size_limit else None
        return k8s.Volume(name=mount.name, empty_dir=k8s.EmptyDirVolumeSource(medium=src.medium, size_limit=size))
    items = [k8s.KeyToPath(key=k, path=p) for k, p in sorted(src.items.items())] if src.items else None
    if isinstance(src, SecretFiles):
        return k8s.Volume(
            name=mount.name,
            secret=k8s.SecretVolumeSource(
                secret_name=src.secret_name, items=items, optional=src.optional or None, default_mode=src.default_mode
            ),
        )
    return k8s.Volume(
        name=mount.name,
        config_map=k8s.ConfigMapVolumeSource(
            name=src.config_map_name, items=items, optional=src.optional or None, default_mode=src.default_mode
        ),
    )


def _render_mount(mount: Mount) -> k8s.VolumeMount:
    read_only = mount.read_only or isinstance(mount.source, SecretFiles | ConfigMapFiles)
    return k8s.VolumeMount(name=mount.name, mount_path=mount.path, read_only=read_only or None, sub_path=mount.sub_path)


def int_or_string(value: str | int) -> k8s.IntOrString:
    return k8s.IntOrString.from_number(value) if isinstance(value, int) else k8s.IntOrString.from_string(value)


# --- the workload ---------------------------------------------------------------------------


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
        self._record_references()

        template = self._pod_template()
        exceptions = sorted(props.scanner_exceptions.items())
        annotations = {f"checkov.io/skip{i}": f"{check}={why}" for i, (check, why) in enumerate(exceptions, 1)}
        meta = k8s.ObjectMeta(name=self.name, labels=self.labels, annotations=annotations or None)
        c = props.controller
        if isinstance(c, DeploymentKind):
            k8s.KubeDeployment(self, "Deployment", metadata=meta, spec=self._deployment_spec(c, template))
        elif isinstance(c, StatefulSetKind):
            k8s.KubeStatefulSet(self, "StatefulSet", metadata=meta, spec=self._stateful_set_spec(c, template))
        elif isinstance(c, JobKind):
            job = k8s.KubeJob(self, "Job", metadata=meta, spec=self._job_spec(c, template))
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
                    schedule=c.schedule,
                    concurrency_policy="Forbid",
                    job_template=k8s.JobTemplateSpec(
                        metadata=k8s.ObjectMeta(labels=self.labels), spec=self._job_spec(c.job, template)
                    ),
                ),
            )
        if self.service_name:
            self._service(exposed)
        if props.may_run_several_pods:
            self._disruption_budget()
        if isinstance(c, DeploymentKind) and c.autoscaling and c.autoscaling.enabled:
            self._autoscaler(c.autoscaling)

    def _record_references(self) -> None:
        registry, p = self.props.references, self.props
        if registry is None:
            return
        for container in (p.container, *p.init_containers):
            for name in container.env_from:
                registry.read("ConfigMap", name, by=p.component)
            for env in container.env:
                src = env.source
                if isinstance(src, SecretRef):
                    registry.read("Secret", src.name, by=p.component, keys=(src.key,), optional=src.optional)
                elif isinstance(src, ConfigMapKey):
                    registry.read("ConfigMap", src.name, by=p.component, keys=(src.key,), optional=src.optional)
            for mount in container.mounts:
                files = mount.source
                keys = tuple(files.items or ()) if isinstance(files, ObjectFiles) else ()
                if isinstance(files, SecretFiles):
                    registry.read("Secret", files.secret_name, by=p.component, keys=keys, optional=files.optional)
                elif isinstance(files, ConfigMapFiles):
                    registry.read(
                        "ConfigMap", files.config_map_name, by=p.component, keys=keys, optional=files.optional
                    )

    # -- pod ------------------------------------------------------------------------------------

    def _pod_template(self) -> k8s.PodTemplateSpec:
        p = self.props
        main = self._container(p.container, self.name)
        inits = [self._container(c, c.name or f"{self.name}-init-{i}") for i, c in enumerate(p.init_containers)]
        mounts = {m.name: m for c in (p.container, *p.init_containers) for m in c.mounts}
        volumes = [k8s.Volume(name=TMP_VOLUME, empty_dir=k8s.EmptyDirVolumeSource())]
        volumes += [_render_volume(m) for _, m in sorted(mounts.items())]
        uid = p.platform.run_as_user
        spread = isinstance(p.controller, DeploymentKind | StatefulSetKind) and p.controller.spread
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
            topology_spread_constraints=self._spread() if spread else None,
        )
        annotations = dict(sorted(p.pod_annotations.items())) or None
        return k8s.PodTemplateSpec(metadata=k8s.ObjectMeta(labels=self.labels, annotations=annotations), spec=spec)

    def _container(self, c: Container, name: str) -> k8s.Container:
        p = self.props
        mounts = [k8s.VolumeMount(name=TMP_VOLUME, mount_path=TMP_PATH)]
        mounts += [_render_mount(m) for m in c.mounts]
        if c is p.container and isinstance(p.controller, StatefulSetKind):
            mounts += [k8s.VolumeMount(name=v.name, mount_path=v.path) for v in p.controller.volume_claims]
        limits = {"memory": k8s.Quantity.from_string(c.resources.limits.memory)}
        if c.resources.limits.cpu:
            limits["cpu"] = k8s.Quantity.from_string(c.resources.limits.cpu)
        return k8s.Container(
            name=name,
            image=c.image,
            image_pull_policy=p.image_pull_policy,
            command=list(c.command) if c.command else None,
            args=list(c.args) if c.args else None,
            env_from=[k8s.EnvFromSource(config_map_ref=k8s.ConfigMapEnvSource(name=n)) for n in c.env_from] or None,
            env=[_render_env(e) for e in c.env] or None,
            ports=[k8s.ContainerPort(name=pt.name, container_port=pt.container_port) for pt in c.ports] or None,
            volume_mounts=mounts,
            resources=k8s.ResourceRequirements(
                requests={
                    "cpu": k8s.Quantity.from_string(c.resources.requests.cpu),
                    "memory": k8s.Quantity.from_string(c.resources.requests.memory),
                },
                limits=limits,
            ),
            liveness_probe=_render_probe(c.liveness) if c.liveness else None,
            readiness_probe=_render_probe(c.readiness) if c.readiness else None,
            startup_probe=_render_probe(c.startup) if c.startup else None,
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

    def _deployment_spec(self, c: DeploymentKind, template: k8s.PodTemplateSpec) -> k8s.DeploymentSpec:
        if isinstance(c.strategy, Recreate):
            strategy = k8s.DeploymentStrategy(type="Recreate")
        else:
            strategy = k8s.DeploymentStrategy(  # type RollingUpdate is the default
                rolling_update=k8s.RollingUpdateDeployment(
                    max_surge=int_or_string(c.strategy.max_surge) if c.strategy.max_surge != "25%" else None,
                    max_unavailable=int_or_string(c.strategy.max_unavailable),
                ),
            )
        return k8s.DeploymentSpec(
            replicas=None if self.props.autoscaled else c.replicas,
            revision_history_limit=3,
            selector=k8s.LabelSelector(match_labels=self.selector),
            strategy=strategy,
            template=template,
        )

    def _stateful_set_spec(self, c: StatefulSetKind, template: k8s.PodTemplateSpec) -> k8s.StatefulSetSpec:
        claims = [
            k8s.KubePersistentVolumeClaimProps(
                metadata=k8s.ObjectMeta(name=v.name, labels=self.labels),
                spec=k8s.PersistentVolumeClaimSpec(
                    access_modes=["ReadWriteOnce"],
                    storage_class_name=v.storage_class or self.props.platform.storage_class,
                    resources=k8s.ResourceRequirements(requests={"storage": k8s.Quantity.from_string(v.size)}),
                ),
            )
            for v in c.volume_claims
        ]
        return k8s.StatefulSetSpec(
            replicas=c.replicas,
            service_name=self.service_name or self.name,
            selector=k8s.LabelSelector(match_labels=self.selector),
            template=template,
            volume_claim_templates=claims or None,
        )

    @staticmethod
    def _job_spec(c: JobKind, template: k8s.PodTemplateSpec) -> k8s.JobSpec:
        return k8s.JobSpec(
            backoff_limit=c.backoff_limit,
            active_deadline_seconds=c.active_deadline_seconds,
            ttl_seconds_after_finished=c.ttl_seconds_after_finished,
            template=template,
        )

    # -- companions -----------------------------------------------------------------------------

    def _service(self, ports: Sequence[Port]) -> None:
        headless = isinstance(self.props.controller, StatefulSetKind)
        k8s.KubeService(
            self,
            "Service",
            metadata=k8s.ObjectMeta(name=self.service_name, labels=self.labels),
            spec=k8s.ServiceSpec(
                cluster_ip="None" if headless else None,
                selector=self.selector,
                ports=[
                    k8s.ServicePort(
                        name=pt.name,
                        port=pt.service_port or pt.container_port,
                        target_port=k8s.IntOrString.from_string(pt.name),
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
        k8s.KubeHorizontalPodAutoscalerV2(
            self,
            "Autoscaler",
            metadata=k8s.ObjectMeta(name=self.name, labels=self.labels),
            spec=k8s.HorizontalPodAutoscalerSpecV2(
                scale_target_ref=k8s.CrossVersionObjectReferenceV2(
                    api_version="apps/v1", kind="Deployment", name=self.name
                ),
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
