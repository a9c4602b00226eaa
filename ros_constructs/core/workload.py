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
* Pods spread over nodes and zones unless :class:`Scheduling` says otherwise; pod labels are
  added to the recommended ones but never change the selector's.

Output leaves Kubernetes defaults out (probe timings, ``optional: false``, TCP), so a
reviewer reads only what was chosen. Every Secret and ConfigMap a pod reads is recorded in
the :class:`References` registry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import constructs

from ..values import Autoscaling, Component
from ..values import Scheduling as SchedulingValues
from .conversations import API_SERVER, Conversation, ServiceName
from .emit import Json, api_object, json_ready
from .inventory import Declared, ScrapeTarget
from .kinds import (
    CRON_JOB,
    DEPLOYMENT,
    HORIZONTAL_POD_AUTOSCALER,
    JOB,
    POD_DISRUPTION_BUDGET,
    SERVICE,
    STATEFUL_SET,
    Kind,
)
from .naming import MAX_CRONJOB_NAME_LENGTH, SELECTOR_LABELS, Naming, check_dns_label
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
    extra_env_var,
    merge_env,
)
from .references import References
from .scheduling import Scheduling
from .secrets import SecretRef
from .tree import Part, inventory

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
    """A Deployment: interchangeable long-running pods; ``autoscaling`` adds a CPU HorizontalPodAutoscaler."""

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
    """A StatefulSet: pods with stable names and their own volumes; its Service (if it exposes ports) is headless."""

    replicas: int = 1
    volume_claims: Sequence[VolumeClaim] = ()
    spread: bool = True


@dataclass(frozen=True, kw_only=True)
class JobKind:
    """A Job that runs the pod to completion once; it is named after its spec (a Job's template is immutable)."""

    backoff_limit: int = 3
    active_deadline_seconds: int | None = None
    ttl_seconds_after_finished: int | None = None


@dataclass(frozen=True, kw_only=True)
class CronJobKind:
    """A CronJob that runs ``job`` on ``schedule``, never two at once."""

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
    sidecars: Sequence[Container] = ()
    """Containers beside the main one for the pod's whole life (an Envoy proxy); each needs a name."""
    controller: Controller = field(default_factory=DeploymentKind)
    termination_grace_period_seconds: int = 30
    pod_annotations: Mapping[str, str] = field(default_factory=dict)
    pod_labels: Mapping[str, str] = field(default_factory=dict)
    """Added to the pod template's labels; the selector labels may not be among them."""
    scheduling: Scheduling = field(default_factory=Scheduling)
    image_pull_policy: str = "IfNotPresent"
    image_pull_secrets: Sequence[str] = ()
    service_account_name: str | None = None
    automount_service_account_token: bool = False
    references: References | None = None
    """Where the Secrets and ConfigMaps the pods read are recorded (the release's registry)."""
    service_annotations: Mapping[str, str] = field(default_factory=dict)
    """On the Service (OpenShift's serving-certificate request, for one)."""
    scanner_exceptions: Mapping[str, str] = field(default_factory=dict)
    """Policy-scanner check id -> why it does not apply to this workload (``checkov.io/skip``)."""
    talks_to: Sequence[Workload | Conversation] = ()
    """Everything the pods connect to (see :mod:`.conversations`); their NetworkPolicy opens exactly that."""

    def __post_init__(self) -> None:
        c = self.controller
        replicas = c.replicas if isinstance(c, DeploymentKind | StatefulSetKind) else None
        if replicas is not None and replicas < 0:
            raise ValueError(f"{self.component}: replicas {replicas} is less than 0")
        if self.automount_service_account_token and not self.service_account_name:
            raise ValueError(f"{self.component}: mounting a token needs a dedicated serviceAccountName")
        taken = sorted(set(self.pod_labels) & set(SELECTOR_LABELS))
        if taken:
            raise ValueError(f"{self.component}: pod labels may not set the selector label(s) {taken}")
        if API_SERVER in self.talks_to and not self.automount_service_account_token:
            raise ValueError(f"{self.component}: talking to the Kubernetes API needs a mounted token")
        if any(not s.name for s in self.sidecars):
            raise ValueError(f"{self.component}: every sidecar needs a name")
        mounts: dict[str, Mount] = {}
        for container in self.containers:
            port_names = {p.name for p in container.ports}
            for probe in (container.liveness, container.readiness, container.startup):
                if probe and probe.port and probe.port not in port_names:
                    raise ValueError(
                        f"{self.component}: probe port {probe.port!r} is not a named port of its container"
                    )
            for mount in container.mounts:
                if mount.name == TMP_VOLUME or mounts.setdefault(mount.name, mount).source != mount.source:
                    raise ValueError(f"{self.component}: volume name {mount.name!r} is taken")

    def with_values(self, block: Component | None, defaults: SchedulingValues) -> WorkloadProps:
        """These props with the settings of the pod's values block and its scheduling over the
        release-wide ``defaults`` (without a block, the defaults alone). The block's image replaces
        the main container's and that of every init step running the same image; its extra env
        goes to the main container; the annotations given here win over the block's."""
        if block is None:
            return replace(self, scheduling=Scheduling.of(defaults))
        container, inits = self.container, self.init_containers
        if block.image is not None:
            image = block.image.ref
            inits = [replace(c, image=image) if c.image == container.image else c for c in inits]
            container = replace(container, image=image)
        if block.extra_env:
            container = replace(container, env=merge_env(container.env, [extra_env_var(e) for e in block.extra_env]))
        return replace(
            self,
            container=container,
            init_containers=inits,
            pod_annotations={**block.pod_annotations, **self.pod_annotations},
            pod_labels={**self.pod_labels, **block.pod_labels},
            scheduling=Scheduling.of(block.over(defaults)),
        )

    @property
    def containers(self) -> tuple[Container, ...]:
        """Every container of the pod: main, init containers and sidecars."""
        return (self.container, *self.init_containers, *self.sidecars)

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


# --- rendering the pod's parts (plain JSON: see emit.py) -----------------------------------


def _render_probe(probe: Probe) -> Json:
    port = probe.port if probe.port and probe.command is None else None
    return {
        "exec": {"command": list(probe.command)} if probe.command is not None else None,
        "httpGet": {"path": probe.http_path, "port": port} if port and probe.http_path is not None else None,
        "tcpSocket": {"port": port} if port and probe.http_path is None else None,
        "initialDelaySeconds": probe.initial_delay_seconds or None,
        "periodSeconds": probe.period_seconds if probe.period_seconds != 10 else None,
        "timeoutSeconds": probe.timeout_seconds if probe.timeout_seconds != 1 else None,
        "failureThreshold": probe.failure_threshold if probe.failure_threshold != 3 else None,
    }


def _render_env(env: EnvVar) -> Json:
    src = env.source
    if isinstance(src, LiteralValue):
        return {"name": env.name, "value": src.value}
    if isinstance(src, ConfigMapKey):
        ref = {"name": src.name, "key": src.key, "optional": src.optional or None}
        return {"name": env.name, "valueFrom": {"configMapKeyRef": ref}}
    if isinstance(src, SecretRef):
        ref = {"name": src.name, "key": src.key, "optional": src.optional or None}
        return {"name": env.name, "valueFrom": {"secretKeyRef": ref}}
    if isinstance(src, FieldRef):
        return {"name": env.name, "valueFrom": {"fieldRef": {"fieldPath": src.field_path}}}
    ref = {"resource": src.resource, "containerName": src.container, "divisor": src.divisor or None}
    return {"name": env.name, "valueFrom": {"resourceFieldRef": ref}}


def _render_volume(mount: Mount) -> Json:
    src = mount.source
    if isinstance(src, EmptyDir):
        return {"name": mount.name, "emptyDir": {"medium": src.medium, "sizeLimit": src.size_limit or None}}
    items = [{"key": k, "path": p} for k, p in sorted(src.items.items())] if src.items else None
    common = {"items": items, "optional": src.optional or None, "defaultMode": src.default_mode}
    if isinstance(src, SecretFiles):
        return {"name": mount.name, "secret": {"secretName": src.secret_name, **common}}
    return {"name": mount.name, "configMap": {"name": src.config_map_name, **common}}


def _render_mount(mount: Mount) -> Json:
    read_only = mount.read_only or isinstance(mount.source, SecretFiles | ConfigMapFiles)
    return {"name": mount.name, "mountPath": mount.path, "readOnly": read_only or None, "subPath": mount.sub_path}


# --- the workload ---------------------------------------------------------------------------


class Workload(Part):
    """Renders one pod-owning object plus its Service, PodDisruptionBudget and autoscaler."""

    def __init__(self, scope: constructs.Construct, id: str, props: WorkloadProps) -> None:
        super().__init__(scope, id)
        self.props = props
        self.name = props.naming.name(props.component)
        self.labels = props.naming.labels(props.component)
        self.selector = props.naming.selector(props.component)
        exposed = [p for c in (props.container, *props.sidecars) for p in c.ports if p.expose]
        self.service_name: str | None = self.name if exposed and props.long_running else None
        self._record_references()
        self._record_conversations()

        template = self._pod_template()
        exceptions = sorted(props.scanner_exceptions.items())
        annotations = {f"checkov.io/skip{i}": f"{check}={why}" for i, (check, why) in enumerate(exceptions, 1)}
        c = props.controller
        if isinstance(c, DeploymentKind):
            self._emit(DEPLOYMENT, self._deployment_spec(c, template), annotations)
        elif isinstance(c, StatefulSetKind):
            self._emit(STATEFUL_SET, self._stateful_set_spec(c, template), annotations)
        elif isinstance(c, JobKind):
            spec = self._job_spec(c, template)
            # A Job's template is immutable: name it after its spec, so a changed spec is a new Job
            # and re-applying an unchanged one is a no-op.
            spec_hash = hashlib.sha256(json.dumps(json_ready(spec), sort_keys=True).encode()).hexdigest()
            self.name = check_dns_label(f"{self.name}-{spec_hash[:10]}", f"name of Job {props.component!r}")
            self._emit(JOB, spec, annotations)
        else:
            check_dns_label(self.name, f"name of CronJob {props.component!r}", MAX_CRONJOB_NAME_LENGTH)
            job_template = {"metadata": {"labels": self.labels}, "spec": self._job_spec(c.job, template)}
            spec = {"schedule": c.schedule, "concurrencyPolicy": "Forbid", "jobTemplate": job_template}
            self._emit(CRON_JOB, spec, annotations)
        if self.service_name:
            self._service(exposed)
        self._record_scrape_targets()
        if props.may_run_several_pods:
            self._disruption_budget()
        if isinstance(c, DeploymentKind) and c.autoscaling and c.autoscaling.enabled:
            self._autoscaler(c.autoscaling)

    def _emit(
        self,
        kind: Kind,
        spec: Json,
        annotations: Mapping[str, str] | None = None,
        *,
        id: str = "",
        name: str | None = None,
    ) -> None:
        api_object(
            self,
            id or kind.kind,
            kind=kind,
            name=name or self.name,
            labels=self.labels,
            annotations=annotations,
            body={"spec": spec},
        )

    def _record_references(self) -> None:
        registry, p = self.props.references, self.props
        if registry is None:
            return
        for container in p.containers:
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

    def _record_conversations(self) -> None:
        talks_to: list[Conversation] = []
        for talk in self.props.talks_to:
            if isinstance(talk, Workload):
                if talk.service_name is None:
                    raise ValueError(f"{self.props.component}: {talk.props.component} has no Service to talk to")
                talk = ServiceName(talk.service_name)
            talks_to.append(talk)
        inventory(self).conversations.append(Declared(selector=self.selector, talks_to=tuple(talks_to)))

    def _record_scrape_targets(self) -> None:
        ports = [*self.props.container.ports, *(p for c in self.props.sidecars for p in c.ports)]
        for port in ports:
            if port.metrics_path and self.props.long_running:
                target = ScrapeTarget(
                    workload=self.name,
                    selector=self.selector,
                    labels=self.labels,
                    port=port.name,
                    path=port.metrics_path,
                    service=self.service_name if port.expose else None,
                )
                inventory(self).scrape_targets.append(target)

    # -- pod ------------------------------------------------------------------------------------

    def _pod_template(self) -> Json:
        p = self.props
        main = self._container(p.container, self.name)
        inits = [self._container(c, c.name or f"{self.name}-init-{i}") for i, c in enumerate(p.init_containers)]
        sidecars = [self._container(c, c.name or "") for c in p.sidecars]
        mounts = {m.name: m for c in p.containers for m in c.mounts}
        volumes = [{"name": TMP_VOLUME, "emptyDir": {}}]
        volumes += [_render_volume(m) for _, m in sorted(mounts.items())]
        uid = p.platform.run_as_user
        placement = p.scheduling
        spec = {
            "containers": [main, *sidecars],
            "initContainers": inits or None,
            "volumes": volumes,
            "securityContext": {
                "runAsNonRoot": True,
                "runAsUser": uid,
                "runAsGroup": uid,
                "fsGroup": uid,
                "fsGroupChangePolicy": "OnRootMismatch" if uid is not None else None,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "automountServiceAccountToken": p.automount_service_account_token,
            "serviceAccountName": p.service_account_name,
            "enableServiceLinks": False,
            "terminationGracePeriodSeconds": p.termination_grace_period_seconds,
            "imagePullSecrets": [{"name": s} for s in p.image_pull_secrets] or None,
            "restartPolicy": None if p.long_running else "Never",
            "topologySpreadConstraints": self._spread() or None,
            "nodeSelector": dict(placement.node_selector) or None,
            "tolerations": list(placement.tolerations) or None,
            "affinity": placement.affinity or None,
            "priorityClassName": placement.priority_class_name,
        }
        annotations = dict(p.pod_annotations) or None
        return {"metadata": {"labels": {**self.labels, **p.pod_labels}, "annotations": annotations}, "spec": spec}

    def _container(self, c: Container, name: str) -> Json:
        p = self.props
        mounts = [{"name": TMP_VOLUME, "mountPath": TMP_PATH}]
        mounts += [_render_mount(m) for m in c.mounts]
        if c is p.container and isinstance(p.controller, StatefulSetKind):
            mounts += [{"name": v.name, "mountPath": v.path} for v in p.controller.volume_claims]
        limits = {"memory": c.resources.limits.memory, "cpu": c.resources.limits.cpu or None}
        return {
            "name": name,
            "image": c.image,
            "imagePullPolicy": p.image_pull_policy,
            "command": list(c.command) if c.command else None,
            "args": list(c.args) if c.args else None,
            "envFrom": [{"configMapRef": {"name": n}} for n in c.env_from] or None,
            "env": [_render_env(e) for e in c.env] or None,
            "ports": [{"name": pt.name, "containerPort": pt.container_port} for pt in c.ports] or None,
            "volumeMounts": mounts,
            "resources": {
                "requests": {"cpu": c.resources.requests.cpu, "memory": c.resources.requests.memory},
                "limits": limits,
            },
            "livenessProbe": _render_probe(c.liveness) if c.liveness else None,
            "readinessProbe": _render_probe(c.readiness) if c.readiness else None,
            "startupProbe": _render_probe(c.startup) if c.startup else None,
            "lifecycle": {"preStop": {"exec": {"command": list(c.pre_stop)}}} if c.pre_stop else None,
            "securityContext": {
                "allowPrivilegeEscalation": False,
                "privileged": False,
                "readOnlyRootFilesystem": True,
                "runAsNonRoot": True,
                "capabilities": {"drop": ["ALL"]},
            },
        }

    def _spread(self) -> list[Json]:
        """The given constraints (counting the workload's pods unless they say otherwise), else the built-in
        spread over hostname and zone for controllers that ask for it."""
        own = {"labelSelector": {"matchLabels": self.selector}}
        given = self.props.scheduling.topology_spread_constraints
        if given is not None:
            return [{**own, **constraint} for constraint in given]
        c = self.props.controller
        if not (isinstance(c, DeploymentKind | StatefulSetKind) and c.spread):
            return []
        return [
            {"maxSkew": 1, "topologyKey": key, "whenUnsatisfiable": "ScheduleAnyway", **own}
            for key in ("kubernetes.io/hostname", "topology.kubernetes.io/zone")
        ]

    # -- controllers ----------------------------------------------------------------------------

    def _deployment_spec(self, c: DeploymentKind, template: Json) -> Json:
        if isinstance(c.strategy, Recreate):
            strategy: Json = {"type": "Recreate"}
        else:  # type RollingUpdate is the default
            surge = c.strategy.max_surge if c.strategy.max_surge != "25%" else None
            strategy = {"rollingUpdate": {"maxSurge": surge, "maxUnavailable": c.strategy.max_unavailable}}
        return {
            "replicas": None if self.props.autoscaled else c.replicas,
            "revisionHistoryLimit": 3,
            "selector": {"matchLabels": self.selector},
            "strategy": strategy,
            "template": template,
        }

    def _stateful_set_spec(self, c: StatefulSetKind, template: Json) -> Json:
        claims = [
            {
                "metadata": {"name": v.name, "labels": self.labels},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "storageClassName": v.storage_class or self.props.platform.storage_class,
                    "resources": {"requests": {"storage": v.size}},
                },
            }
            for v in c.volume_claims
        ]
        return {
            "replicas": c.replicas,
            "serviceName": self.service_name or self.name,
            "selector": {"matchLabels": self.selector},
            "template": template,
            "volumeClaimTemplates": claims or None,
        }

    @staticmethod
    def _job_spec(c: JobKind, template: Json) -> Json:
        return {
            "backoffLimit": c.backoff_limit,
            "activeDeadlineSeconds": c.active_deadline_seconds,
            "ttlSecondsAfterFinished": c.ttl_seconds_after_finished,
            "template": template,
        }

    # -- companions -----------------------------------------------------------------------------

    def _service(self, ports: Sequence[Port]) -> None:
        headless = isinstance(self.props.controller, StatefulSetKind)
        spec = {
            "clusterIP": "None" if headless else None,
            "selector": self.selector,
            "ports": [
                {"name": pt.name, "port": pt.service_port or pt.container_port, "targetPort": pt.name} for pt in ports
            ],
        }
        self._emit(SERVICE, spec, dict(self.props.service_annotations) or None, name=self.service_name)

    def _disruption_budget(self) -> None:
        spec = {
            "maxUnavailable": 1,
            "selector": {"matchLabels": self.selector},
            "unhealthyPodEvictionPolicy": "AlwaysAllow",
        }
        self._emit(POD_DISRUPTION_BUDGET, spec, id="DisruptionBudget")

    def _autoscaler(self, scaling: Autoscaling) -> None:
        target = {"type": "Utilization", "averageUtilization": scaling.target_cpu_utilization_percentage}
        spec = {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": self.name},
            "minReplicas": scaling.min_replicas,
            "maxReplicas": scaling.max_replicas,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": target}}],
        }
        self._emit(HORIZONTAL_POD_AUTOSCALER, spec, id="Autoscaler")
