"""Rules for the worker fleet: the ``koku:celery:<queue>_queue`` recording rules (what the KEDA
Prometheus trigger and the dashboard read) and, when alerts are on, a backlog alert and a
"no worker consuming" alert per pool. The monitoring chart's ServiceMonitors scrape the workers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import constructs

from ..core.prometheus import Alert, prometheus_rule
from .tier import KokuTier

if TYPE_CHECKING:
    from .workers import CeleryWorkerPool


def recording_rule(queue: str) -> str:
    """The series Koku's KEDA triggers query; recorded by :class:`WorkerRules`."""
    return f"koku:celery:{queue}_queue"


def backlog_series(queue: str) -> str:
    """The gauge Koku's workers export for a queue (the default queue's is ``default_backlog``)."""
    return f"{'default' if queue == 'celery' else queue}_backlog"


class WorkerRules(constructs.Construct):
    """``<release>-celery``: a recording rule per pool's queue and, when on, its two alerts."""

    def __init__(self, scope: constructs.Construct, id: str, *, tier: KokuTier, pools: list[CeleryWorkerPool]) -> None:
        super().__init__(scope, id)
        workers, plan = tier.values.cost_management.workers, tier.release.monitoring
        namespace = tier.values.namespace
        records, alerts = [], []
        for pool in pools:
            queue, spec = pool.queue, pool.pool
            series = f'{recording_rule(queue)}{{namespace="{namespace}"}}'
            title = queue.title().replace("_", "")
            deployment = pool.workload.name
            gauge = f'{backlog_series(queue)}{{namespace="{namespace}"}}'
            expr = f"max by (namespace) (max_over_time({gauge}[5m]))"
            records.append({"record": recording_rule(queue), "expr": expr})
            available = (
                f'sum(kube_deployment_status_replicas_available{{namespace="{namespace}", deployment="{deployment}"}})'
            )
            alerts += [
                Alert(
                    name=f"KokuCeleryBacklog{title}",
                    expr=f"{series} > {spec.backlog_alert_threshold}",
                    duration=workers.alerts.backlog_for,
                    severity="warning",
                    labels={"queue": queue},
                    summary=f"Celery queue {queue} has more than {spec.backlog_alert_threshold} waiting tasks",
                    description=f"Scale {deployment} or check why its workers are slow.",
                    runbook="KokuCeleryBacklog",
                ),
                Alert(
                    name=f"KokuCeleryNoConsumer{title}",
                    expr=f"{series} > 0 and on() (({available}) or on() vector(0)) == 0",
                    duration=workers.alerts.no_consumer_for,
                    severity="critical",
                    labels={"queue": queue},
                    summary=f"Tasks wait in Celery queue {queue} but no worker consumes it",
                    description=f"{deployment} has no available pod.",
                    runbook="KokuCeleryNoConsumer",
                ),
            ]
        prometheus_rule(
            self,
            "Rule",
            name=tier.naming.name("celery"),
            labels={**plan.labels, **tier.naming.labels("celery")},
            groups=[
                ("koku-celery-queues.rules", records),
                ("koku-celery-queues.alerts", [a.rule(plan.runbook) for a in alerts] if plan.worker_alerts else []),
            ],
        )
