"""Celery worker pools: one Deployment per pool consuming its queue (and any ``alsoConsumes``),
optional HPA or KEDA ScaledObject, alerts.

A worker gets SIGTERM on rollout or scale-in and then finishes its running task (Celery's
warm shutdown), so its grace period is at least the pool's ``maxTaskSeconds``. The command
``exec``s Celery so it is PID 1 and receives the signal itself.
"""

from __future__ import annotations

import math

import constructs

from ..core.emit import Json, api_object
from ..core.kinds import CONFIG_MAP, SCALED_OBJECT, TRIGGER_AUTHENTICATION
from ..core.pod import Container, EmptyDir, Mount, Port, Probe, ProbeSet, literal
from ..core.tree import Part
from ..core.workload import DeploymentKind, Workload
from ..values import Autoscaling, WorkerPool
from .env import component_for, pool_profile, worker_roles
from .queue_monitoring import Consumer, WorkerRules, backlog_query
from .tier import METRICS_PORT, KokuPod, KokuTier

MASU_TMP = "/var/tmp/masu"


def worker_probes() -> ProbeSet:
    """Koku's probe server on ``metrics``: /livez once started, /readyz once migrations are done."""
    return ProbeSet(
        startup=Probe.http("/livez", "metrics", period_seconds=10, failure_threshold=30),
        liveness=Probe.http("/livez", "metrics", period_seconds=20, timeout_seconds=10, failure_threshold=5),
        readiness=Probe.http("/readyz", "metrics", period_seconds=20, timeout_seconds=10, failure_threshold=3),
    )


class CeleryWorkerPool(Part):
    """One pool's Deployment consuming its queues, scaled statically, by CPU HPA, or by KEDA (on the
    backlog of all its queues)."""

    def __init__(
        self,
        scope: constructs.Construct,
        id: str,
        *,
        tier: KokuTier,
        queue: str,
        pool: WorkerPool,
        expose_metrics: bool = False,
    ) -> None:
        """``expose_metrics`` puts the metrics port on a Service, for a ServiceMonitor."""
        super().__init__(scope, id)
        workers = tier.values.cost_management.workers
        self.queue, self.pool = queue, pool
        self.queues = workers.queues_of(queue, pool)
        self.mode = workers.mode(pool)
        gossip = "" if pool.gossip else " --without-gossip"
        command = (
            'PYTHONPATH="$APP_HOME" exec celery -A koku worker'
            f'{gossip} -E -l "$CELERY_LOG_LEVEL" -Q "$WORKER_QUEUES"'
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
        roles = worker_roles(self.queues)
        self.workload: Workload = tier.workload(
            self,
            "Workload",
            component=component_for(queue),
            pod=KokuPod(roles=roles, env_profile=pool_profile(component_for(queue), roles)),
            component_values=pool,
            controller=DeploymentKind(
                replicas=None if self.mode == "keda" else pool.replicas,
                autoscaling=hpa if self.mode == "hpa" else None,
            ),
            termination_grace_period_seconds=pool.grace_period_seconds,
            container=Container(
                image=tier.image,
                resources=pool.resources,
                command=["/bin/bash", "-c", command],
                env=[literal("WORKER_QUEUES", ",".join(self.queues))],
                mounts=[Mount(name="masu", path=MASU_TMP, source=EmptyDir())],
                ports=[
                    Port(name="metrics", container_port=METRICS_PORT, expose=expose_metrics, metrics_path="/metrics")
                ],
                **worker_probes(),
            ),
            talks_to=[tier.stores.database, tier.stores.cache, tier.koku_bucket],
        )
        if self.mode == "keda":
            self._scaled_object(tier, pool)

    def _scaled_object(self, tier: KokuTier, pool: WorkerPool) -> None:
        keda = tier.values.cost_management.workers.keda
        name = self.workload.name
        triggers: list[Json]
        if keda.trigger == "prometheus":
            query = backlog_query(self.queues, tier.values.namespace)
            metadata = {"serverAddress": keda.prometheus.server_address, "query": query}
            triggers = [{"type": "prometheus", "metadata": {**metadata, "threshold": str(pool.keda_threshold)}}]
        else:  # one trigger per list: the HPA KEDA drives scales to the largest of them
            cache = tier.release.connections.cache
            auth = {"name": tier.naming.name("redis-trigger-auth")} if cache.password or cache.tls else None
            triggers = [
                {
                    "type": "redis",
                    "metadata": {
                        "address": f"{cache.host}:{cache.port}",
                        "listName": queue,
                        "listLength": str(math.ceil(pool.keda_threshold)),
                        "databaseIndex": str(keda.redis.database_index),
                    },
                    "authenticationRef": auth,
                }
                for queue in self.queues
            ]
        spec = {
            "scaleTargetRef": {"name": name, "kind": "Deployment", "apiVersion": "apps/v1"},
            "minReplicaCount": pool.min_replicas,
            "maxReplicaCount": pool.max_replicas,
            "pollingInterval": keda.polling_interval,
            "cooldownPeriod": keda.cooldown_period,
            "fallback": {
                "failureThreshold": 3,
                "replicas": pool.fallback_replicas,
                "behavior": "currentReplicasIfHigher",
            },
            "triggers": triggers,
        }
        api_object(
            self,
            "ScaledObject",
            kind=SCALED_OBJECT,
            name=name,
            labels=self.workload.labels,
            body={"spec": spec},
        )


class WorkerFleet(Part):
    """Every enabled pool, the Redis TriggerAuthentication they share, and the queue rules."""

    def __init__(self, scope: constructs.Construct, id: str, *, tier: KokuTier) -> None:
        super().__init__(scope, id)
        workers, plan = tier.values.cost_management.workers, tier.release.monitoring
        self.pools = [
            CeleryWorkerPool(self, queue, tier=tier, queue=queue, pool=pool, expose_metrics=plan.service_monitors)
            for queue, pool in workers.all_pools().items()
            if pool.enabled
        ]
        keda_pools = [p for p in self.pools if p.mode == "keda"]
        cache = tier.release.connections.cache
        if keda_pools and workers.keda.trigger == "redis" and (cache.password or cache.tls):
            self._redis_trigger_auth(tier)
        if plan.worker_rules and self.pools:
            consumers = [
                Consumer(
                    deployment=p.workload.name,
                    queue=p.queue,
                    consumes=tuple(p.queues),
                    backlog_alert_threshold=p.pool.backlog_alert_threshold,
                )
                for p in self.pools
            ]
            WorkerRules(self, "Monitoring", tier=tier, pools=consumers)

    def _redis_trigger_auth(self, tier: KokuTier) -> None:
        """The cache's password and TLS for KEDA, from the same connection the workers use; the
        ``tls: enable`` switch is not secret, so it comes from a ConfigMap."""
        cache, component = tier.release.connections.cache, "redis-trigger-auth"
        refs = {"password": cache.password, "ca": cache.ca.ref if cache.ca else None}
        secret_refs = [
            {"parameter": param, "name": ref.name, "key": ref.key} for param, ref in refs.items() if ref is not None
        ]
        config_refs = None
        if cache.tls:
            switch = tier.naming.name(component)
            api_object(
                self,
                "RedisTriggerTls",
                kind=CONFIG_MAP,
                name=switch,
                labels=tier.naming.labels(component),
                body={"data": {"tls": "enable"}},
            )
            tier.release.references.provide("ConfigMap", switch, frozenset({"tls"}))
            config_refs = [{"parameter": "tls", "name": switch, "key": "tls"}]
        api_object(
            self,
            "RedisTriggerAuth",
            kind=TRIGGER_AUTHENTICATION,
            name=tier.naming.name(component),
            labels=tier.naming.labels(component),
            body={"spec": {"secretTargetRef": secret_refs or None, "configMapTargetRef": config_refs}},
        )
