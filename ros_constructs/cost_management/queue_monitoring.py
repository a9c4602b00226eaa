"""Scraping and rules for the worker fleet: a ServiceMonitor on the workers' ``metrics``
Services, the ``koku:celery:<queue>_queue`` recording rules (what the KEDA Prometheus trigger
reads) and, when alerts are on, a backlog alert and a "no worker consuming" alert per pool."""

from __future__ import annotations

from typing import TYPE_CHECKING

import constructs
from cdk8s import ApiObjectMetadata

from ..core.naming import COMPONENT_LABEL
from .tier import KokuTier

if TYPE_CHECKING:
    from .workers import CeleryWorkerPool


def recording_rule(queue: str) -> str:
    """The series Koku's KEDA triggers query; recorded by :class:`WorkerAlerts`."""
    return f"koku:celery:{queue}_queue"


def backlog_series(queue: str) -> str:
    """The gauge Koku's workers export for a queue (the default queue's is ``default_backlog``)."""
    return f"{'default' if queue == 'celery' else queue}_backlog"


class WorkerMonitoring(constructs.Construct):
    """Scraping and rules for the fleet: a ServiceMonitor on the workers' ``metrics`` Services,
    the ``koku:celery:<queue>_queue`` recording rules (what the KEDA Prometheus trigger reads)
    and, when alerts are on, a backlog alert and a "no worker consuming" alert per pool."""

    def __init__(self, scope: constructs.Construct, id: str, *, tier: KokuTier, pools: list[CeleryWorkerPool]) -> None:
        # Loaded on use: a CRD binding takes about 0.1 s to load into Node, and most profiles use none.
        from ros_constructs.imports.com.coreos.monitoring import (
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
                    match_labels=tier.naming.app_selector(),
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
