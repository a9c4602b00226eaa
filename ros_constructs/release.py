"""The release context every tier shares: values, platform, naming, images, data-store
connections, and the registry of Secrets and ConfigMaps the built pods reference.

One :class:`Release` is made per synthesis and handed to every chart; a tier asks it for names,
connections and pull settings instead of deriving them. Plain Python: no Node at import.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib.metadata import version

from .core.naming import Naming
from .core.platform import Platform, platform_for
from .core.references import References
from .core.secrets import SecretPlan
from .data.connections import Connections, connections, object_storage_mode, strimzi_cluster
from .data.kafka_clients import KafkaClient
from .values import Values


@cache
def library_version() -> str:
    """The installed ros-constructs version: the version label of objects that run no image."""
    return version("ros-constructs")


def edge_prerequisites(values: Values) -> list[str]:
    """What the exposure and the edge's identity checks rely on outside the output."""
    edge, found = values.edge, []
    exposure = edge.exposure
    if exposure.type == "ingress":
        found.append(f"an Ingress controller serving ingressClassName {exposure.ingress_class}")
        if exposure.tls_secret:
            found.append(f"Secret {exposure.tls_secret}: the TLS certificate of {exposure.host}")
    elif exposure.type == "gatewayApi":
        for parent in exposure.parent_refs:
            found.append(f"Gateway {parent.namespace or values.namespace}/{parent.name} (Gateway API, edge.exposure)")
    if edge.auth.mode != "none":
        found.append(
            f"the identity provider {edge.auth.jwt.issuer} issuing tokens for {', '.join(edge.auth.jwt.audiences)}"
        )
    if edge.auth.token_review.enabled:
        found.append("the AuthConfig CRD (authorino.kuadrant.io/v1beta3), from the Authorino operator or its manifests")
    return found


@dataclass(frozen=True, kw_only=True)
class MonitoringPlan:
    """What a release makes for Prometheus: ``values.monitoring`` resolved for the platform and
    the workers (KEDA's Prometheus trigger needs the recording rules whatever ``monitoring`` says)."""

    service_monitors: bool
    alerts: bool
    """The stack's alert rules (availability, Koku API and ingest, ROS)."""
    dashboards: bool
    worker_rules: bool
    """The ``koku:celery:<queue>_queue`` recording rules."""
    worker_alerts: bool
    labels: Mapping[str, str]
    """Extra labels on every ServiceMonitor and PrometheusRule."""
    interval: str
    runbooks: str
    prometheus_namespace: str

    @property
    def operator_objects(self) -> bool:
        """Some ServiceMonitor or PrometheusRule is in the output."""
        return self.service_monitors or self.alerts or self.worker_rules

    def runbook(self, section: str) -> str:
        """The URL of a runbook section (GitHub's anchor of a one-word heading is its lower case)."""
        return f"{self.runbooks}#{section.lower()}"


@dataclass(frozen=True, kw_only=True)
class Release:
    """What every construct of one release needs; build one per synthesis."""

    values: Values
    references: References = field(default_factory=References)
    """Filled while constructs are built: what pods read and what the output provides."""

    @property
    def name(self) -> str:
        return self.values.release

    @property
    def namespace(self) -> str:
        return self.values.namespace

    @property
    def platform(self) -> Platform:
        return platform_for(self.values.platform)

    def naming(self, app: str, version: str) -> Naming:
        """Names and labels of one application (``app.kubernetes.io/name``) of this release."""
        return Naming(release=self.values.release, app=app, version=version)

    @cached_property
    def connections(self) -> Connections:
        return connections(self.values)

    @cached_property
    def monitoring(self) -> MonitoringPlan:
        v, workers = self.values, self.values.cost_management.workers
        m = v.monitoring
        on = m.enabled
        if on is None:
            on = self.platform.prometheus_operator or workers.scales_on_prometheus or workers.alerts.enabled is True
        alerts = on and m.alerts.enabled
        worker_alerts = workers.alerts.enabled
        if worker_alerts is None:
            worker_alerts = workers.scales_on_prometheus or alerts
        return MonitoringPlan(
            service_monitors=on and m.service_monitors.enabled,
            alerts=alerts,
            dashboards=on and m.dashboards.enabled,
            worker_rules=on or worker_alerts or workers.scales_on_prometheus,
            worker_alerts=worker_alerts,
            labels=m.labels,
            interval=m.service_monitors.interval,
            runbooks=m.alerts.runbook_base_url,
            prometheus_namespace=m.service_monitors.prometheus_namespace or self.platform.prometheus_namespace,
        )

    @cached_property
    def secret_plans(self) -> list[SecretPlan]:
        """How every credential Secret of the release is made (tiers add theirs through ``cost_management``)."""
        from .cost_management.credentials import koku_secret_plans
        from .ros.credentials import ros_secret_plans

        plans = [*self.connections.secret_plans, *koku_secret_plans(self.values), *ros_secret_plans(self.values)]
        return list({p.name: p for p in plans}.values())

    @cached_property
    def kafka_clients(self) -> list[KafkaClient]:
        """What each application that is on does with Kafka (topics and users derive from it)."""
        from .cost_management.messaging import koku_kafka_client
        from .ros.credentials import ros_kafka_clients

        return [koku_kafka_client(self.values), *ros_kafka_clients(self.values)]

    def prerequisites(self) -> list[str]:
        """What must exist outside the output: the namespace if not created, operators whose
        custom resources the output contains, and the servers of ``external`` stores."""
        v, stores, found = self.values, self.connections, []
        if not v.create_namespace:
            found.append(f"Namespace {v.namespace} (createNamespace is false)")
        if v.database.mode == "cloudnativepg":
            found.append("the CloudNativePG operator (postgresql.cnpg.io/v1 Cluster)")
        if v.database.mode == "external":
            db = stores.database
            found.append(
                f"PostgreSQL at {db.host}:{db.port} with a database and login per service "
                f"({', '.join(sorted(c.database for c in db.logins.values()))}), each login's Secret below"
            )
        if v.cache.mode == "external":
            found.append(f"Redis or Valkey at {stores.cache.host}:{stores.cache.port}")
        kafka = stores.kafka
        if v.kafka.mode == "external":
            found.append(
                f"Kafka at {kafka.bootstrap_servers} ({kafka.security_protocol}) with auto-created topics or these: "
                f"{', '.join(sorted({t for c in self.kafka_clients for t in c.topics}))}"
            )
        elif not v.kafka.strimzi.broker.deploy:
            found.append(f"the Strimzi operator and its Kafka cluster {strimzi_cluster(v)} in namespace {v.namespace}")
        else:
            found.append("the Strimzi operator (kafka.strimzi.io/v1beta2, KRaft node pools)")
        mode = object_storage_mode(v)
        if mode == "odf":
            found.append("OpenShift Data Foundation's bucket provisioner (objectbucket.io/v1alpha1 ObjectBucketClaim)")
        elif mode == "external":
            names = ", ".join(sorted(str(b.name) for b in stores.object_storage.buckets.values()))
            found.append(f"S3 at {stores.object_storage.endpoint} with the buckets {names}")
        from .cost_management.credentials import koku_prerequisites

        return [*found, *koku_prerequisites(v), *edge_prerequisites(v), *self._monitoring_prerequisites()]

    def _monitoring_prerequisites(self) -> list[str]:
        plan, found = self.monitoring, []
        if plan.operator_objects and self.platform.prometheus_operator:
            found.append(
                "user workload monitoring (enableUserWorkload: true in the openshift-monitoring namespace's "
                "cluster-monitoring-config), which scrapes and evaluates this namespace's ServiceMonitors and "
                "PrometheusRules"
            )
        elif plan.operator_objects:
            labelled = ", ".join(f"{k}={v}" for k, v in sorted(plan.labels.items()))
            found.append(
                "the Prometheus Operator's CRDs (monitoring.coreos.com/v1 ServiceMonitor, PrometheusRule) and a "
                f"Prometheus in namespace {plan.prometheus_namespace} that selects this namespace's ServiceMonitors "
                "and PrometheusRules" + (f" labelled {labelled}" if labelled else "")
            )
        if plan.alerts and not self.platform.prometheus_operator:  # OpenShift's platform monitoring has both
            found.append("kube-state-metrics and the kubelets' cAdvisor in that Prometheus (availability alerts)")
        if plan.dashboards:
            labels = self.values.monitoring.dashboards.labels
            labelled = " labelled " + ", ".join(f"{k}={v}" for k, v in sorted(labels.items())) if labels else ""
            found.append(f"Grafana loading dashboards from ConfigMaps{labelled} in namespace {self.namespace}")
        return found

    def notes(self) -> str:
        """NOTES.txt: call after the charts are built (the reference registry is filled then)."""
        from .core.secrets import notes

        return notes(self.namespace, self.references, self.secret_plans, self.prerequisites())
