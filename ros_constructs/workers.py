"""Celery worker pools: one queue, one Deployment, optional HPA or KEDA ScaledObject, alerts.

A worker gets SIGTERM on rollout or scale-in and then finishes its running task (Celery's
warm shutdown), so its grace period is at least the pool's ``maxTaskSeconds``. The command
``exec``s Celery so it is PID 1 and receives the signal itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import constructs
from cdk8s import ApiObjectMetadata

from imports.com.coreos.monitoring import (
    PrometheusRule,
    PrometheusRuleSpec,
    PrometheusRuleSpecGroups,
    PrometheusRuleSpecGroupsRules,
    PrometheusRuleSpecGroupsRulesExpr,
    ServiceMonitor,
    ServiceMonitorSpec,
    ServiceMonitorSpecEndpoints,
    ServiceMonitorSpecSelector,
    ServiceMonitorSpecSelectorMatchExpressions,
)
from imports.sh.keda import (
    ScaledObject,
    ScaledObjectSpec,
    ScaledObjectSpecFallback,
    ScaledObjectSpecFallbackBehavior,
    ScaledObjectSpecScaleTargetRef,
    ScaledObjectSpecTriggers,
    ScaledObjectSpecTriggersAuthenticationRef,
    TriggerAuthentication,
    TriggerAuthenticationSpec,
    TriggerAuthenticationSpecSecretTargetRef,
)

from . import secrets
from .config import METRICS_PORT, KokuTier, cache_host, worker_roles
from .naming import COMPONENT_LABEL
from .values import Autoscaling, WorkerPool
from .workload import Container, EmptyDir, Mount, Port, Probe, ProbeSet, Workload, literal

MASU_TMP = "/var/tmp/masu"


def component_for(queue: str) -> str:
    """``priority_xl`` -> ``worker-priority-xl``."""
    return f"worker-{queue.replace('_', '-')}"


def backlog_series(queue: str) -> str:
    """The gauge Koku's workers export for a queue (the default queue's is ``default_backlog``)."""
    return f"{'default' if queue == 'celery' else queue}_backlog"


def recording_rule(queue: str) -> str:
    """The series Koku's KEDA triggers query; recorded by :class:`WorkerAlerts`."""
    return f"koku:celery:{queue}_queue"


def worker_probes() -> ProbeSet:
    """Koku's probe server on ``metrics``: /livez once started, /readyz once migrations are done."""
    return ProbeSet(
        startup=Probe.http("/livez", "metrics", period_seconds=10, failure_threshold=30),
        liveness=Probe.http("/livez", "metrics", period_seconds=20, timeout_seconds=10, failure_threshold=5),
        readiness=Probe.http("/readyz", "metrics", period_seconds=20, timeout_seconds=10, failure_threshold=3),
    )


@dataclass(frozen=True, kw_only=True)
class CeleryWorkerPoolProps:
    tier: KokuTier
    queue: str
    pool: WorkerPool
    expose_metrics: bool = False
    """Put the metrics port on a Service, for the ServiceMonitor."""


class CeleryWorkerPool(constructs.Construct):
    """One queue consumed by one Deployment, scaled statically, by CPU HPA, or by KEDA."""

    def __init__(self, scope: constructs.Construct, id: str, props: CeleryWorkerPoolProps) -> None:
        super().__init__(scope, id)
        tier, queue, pool = props.tier, props.queue, props.pool
        workers = tier.values.cost_management.workers
        self.queue, self.pool = queue, pool
        self.mode = workers.mode(pool)
        gossip = "" if pool.gossip else " --without-gossip"
        command = (
            "PYTHONPATH=${APP_HOME} exec celery -A koku worker"
            f"{gossip} -E -l $CELERY_LOG_LEVEL -Q $WORKER_QUEUES"
            f" --concurrency {pool.concurrency} --prefetch-multiplier {pool.prefetch_multiplier}"
            f" --max-tasks-per-child {pool.max_tasks_per_child}"
        )
        # An HPA never goes below the pool's own replicas; a pool at 0 (switched off) gets none.
        hpa = Autoscaling(
            enabled=pool.replicas > 0,
            min_replicas=min(max(pool.min_replicas, pool.replicas, 1), pool.max_replicas),
            max_replicas=pool.max_replicas,
            target_cpu_utilization_percentage=workers.hpa_target_cpu_utilization_percentage,
        )
        self.workload: Workload = tier.workload(
            self,
            "Workload",
            component=component_for(queue),
            roles=worker_roles(queue),
            extra_env=pool.extra_env,
            replicas=None if self.mode == "keda" else pool.replicas,
            autoscaling=hpa if self.mode == "hpa" else None,
            termination_grace_period_seconds=pool.grace_period_seconds,
            container=Container(
                image=tier.image,
                resources=pool.resources,
                command=["/bin/bash", "-c", command],
                env=[literal("WORKER_QUEUES", queue)],
                mounts=[Mount(name="masu", path=MASU_TMP, source=EmptyDir())],
                ports=[Port(name="metrics", container_port=METRICS_PORT, expose=props.expose_metrics)],
                **worker_probes(),
            ),
        )
        if self.mode == "keda":
            self._scaled_object(tier, pool)

    def _scaled_object(self, tier: KokuTier, pool: WorkerPool) -> None:
        keda = tier.values.cost_management.workers.keda
        name = self.workload.name
        if keda.trigger == "prometheus":
            trigger = ScaledObjectSpecTriggers(
                type="prometheus",
                metadata={
                    "serverAddress": keda.prometheus.server_address,
                    "query": f'{recording_rule(self.queue)}{{namespace="{tier.values.namespace}"}}',
                    "threshold": str(pool.keda_threshold),
                },
            )
        else:
            auth = secrets.cache_password(tier.values)
            trigger = ScaledObjectSpecTriggers(
                type="redis",
                metadata={
                    "address": f"{cache_host(tier.values)}:{tier.values.cost_management.cache.port}",
                    "listName": self.queue,
                    "listLength": str(math.ceil(pool.keda_threshold)),
                    "databaseIndex": str(keda.redis.database_index),
                },
                authentication_ref=ScaledObjectSpecTriggersAuthenticationRef(
                    name=tier.naming.name("redis-trigger-auth")
                )
                if auth
                else None,
            )
        ScaledObject(
            self,
            "ScaledObject",
            metadata=ApiObjectMetadata(name=name, labels=self.workload.labels),
            spec=ScaledObjectSpec(
                scale_target_ref=ScaledObjectSpecScaleTargetRef(name=name, kind="Deployment", api_version="apps/v1"),
                min_replica_count=pool.min_replicas,
                max_replica_count=pool.max_replicas,
                polling_interval=keda.polling_interval,
                cooldown_period=keda.cooldown_period,
                fallback=ScaledObjectSpecFallback(
                    failure_threshold=3,
                    replicas=pool.fallback_replicas,
                    behavior=ScaledObjectSpecFallbackBehavior.CURRENT_REPLICAS_IF_HIGHER,
                ),
                triggers=[trigger],
            ),
        )


class WorkerFleet(constructs.Construct):
    """Every enabled pool, the Redis TriggerAuthentication they share, and the alert rules."""

    def __init__(self, scope: constructs.Construct, id: str, *, tier: KokuTier) -> None:
        super().__init__(scope, id)
        workers = tier.values.cost_management.workers
        monitored = workers.alerts_on or workers.scales_on_prometheus
        self.pools = [
            CeleryWorkerPool(
                self, queue, CeleryWorkerPoolProps(tier=tier, queue=queue, pool=pool, expose_metrics=monitored)
            )
            for queue, pool in workers.all_pools().items()
            if pool.enabled
        ]
        keda_pools = [p for p in self.pools if p.mode == "keda"]
        secret = secrets.cache_password(tier.values)
        if keda_pools and workers.keda.trigger == "redis" and secret:
            TriggerAuthentication(
                self,
                "RedisTriggerAuth",
                metadata=ApiObjectMetadata(
                    name=tier.naming.name("redis-trigger-auth"), labels=tier.naming.labels("redis-trigger-auth")
                ),
                spec=TriggerAuthenticationSpec(
                    secret_target_ref=[
                        TriggerAuthenticationSpecSecretTargetRef(parameter="password", name=secret.name, key=secret.key)
                    ]
                ),
            )
        if monitored and self.pools:
            WorkerMonitoring(self, "Monitoring", tier=tier, pools=self.pools)


class WorkerMonitoring(constructs.Construct):
    """Scraping and rules for the fleet: a ServiceMonitor on the workers' ``metrics`` Services,
    the ``koku:celery:<queue>_queue`` recording rules (what the KEDA Prometheus trigger reads)
    and, when alerts are on, a backlog alert and a "no worker consuming" alert per pool."""

    def __init__(self, scope: constructs.Construct, id: str, *, tier: KokuTier, pools: list[CeleryWorkerPool]) -> None:
        super().__init__(scope, id)
        workers = tier.values.cost_management.workers
        namespace = tier.values.namespace
        components = sorted(p.workload.props.component for p in pools)
        ServiceMonitor(
            self,
            "ServiceMonitor",
            metadata=ApiObjectMetadata(name=tier.naming.name("workers"), labels=tier.naming.labels("workers")),
            spec=ServiceMonitorSpec(
                selector=ServiceMonitorSpecSelector(
                    match_labels={k: v for k, v in tier.naming.selector("workers").items() if k != COMPONENT_LABEL},
                    match_expressions=[
                        ServiceMonitorSpecSelectorMatchExpressions(
                            key=COMPONENT_LABEL, operator="In", values=components
                        )
                    ],
                ),
                endpoints=[ServiceMonitorSpecEndpoints(port="metrics", path="/metrics", interval="60s")],
            ),
        )
        records, alerts = [], []
        for pool in pools:
            queue, spec = pool.queue, pool.pool
            series = f'{recording_rule(queue)}{{namespace="{namespace}"}}'
            title = queue.title().replace("_", "")
            deployment = pool.workload.name
            records.append(
                PrometheusRuleSpecGroupsRules(
                    record=recording_rule(queue),
                    expr=PrometheusRuleSpecGroupsRulesExpr.from_string(
                        f'max by (namespace) (max_over_time({backlog_series(queue)}{{namespace="{namespace}"}}[5m]))'
                    ),
                )
            )
            labels = {"severity": "warning", "queue": queue}
            available = (
                f'sum(kube_deployment_status_replicas_available{{namespace="{namespace}", deployment="{deployment}"}})'
            )
            alerts += [
                PrometheusRuleSpecGroupsRules(
                    alert=f"KokuCeleryBacklog{title}",
                    expr=PrometheusRuleSpecGroupsRulesExpr.from_string(f"{series} > {spec.backlog_alert_threshold}"),
                    for_=workers.alerts.backlog_for,
                    labels=labels,
                    annotations={
                        "summary": f"Celery queue {queue} has more than {spec.backlog_alert_threshold} waiting tasks",
                        "description": f"Scale {deployment} or check why its workers are slow.",
                    },
                ),
                PrometheusRuleSpecGroupsRules(
                    alert=f"KokuCeleryNoConsumer{title}",
                    expr=PrometheusRuleSpecGroupsRulesExpr.from_string(
                        f"{series} > 0 and on() (({available}) or on() vector(0)) == 0"
                    ),
                    for_=workers.alerts.no_consumer_for,
                    labels={**labels, "severity": "critical"},
                    annotations={
                        "summary": f"Tasks wait in Celery queue {queue} but no worker consumes it",
                        "description": f"{deployment} has no available pod.",
                    },
                ),
            ]
        groups = [PrometheusRuleSpecGroups(name="koku-celery-queues.rules", rules=records)]
        if workers.alerts_on:
            groups.append(PrometheusRuleSpecGroups(name="koku-celery-queues.alerts", rules=alerts))
        PrometheusRule(
            self,
            "Rule",
            metadata=ApiObjectMetadata(name=tier.naming.name("celery"), labels=tier.naming.labels("celery")),
            spec=PrometheusRuleSpec(groups=groups),
        )
