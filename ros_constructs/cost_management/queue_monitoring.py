"""Rules for the worker fleet: the ``koku:celery:<queue>_queue`` recording rules (what the KEDA
Prometheus trigger and the dashboard read) and, when alerts are on, a backlog alert and a
"no worker consuming" alert per consumed queue (no pod of any pool consuming it is available).
The monitoring chart's ServiceMonitors scrape the workers."""

from __future__ import annotations

from dataclasses import dataclass

import constructs

from ..core.prometheus import Alert, prometheus_rule
from ..core.tree import Part
from .tier import KokuTier


def recording_rule(queue: str) -> str:
    """The series Koku's KEDA triggers query; recorded by :class:`WorkerRules`."""
    return f"koku:celery:{queue}_queue"


def backlog_query(queues: tuple[str, ...], namespace: str) -> str:
    """The backlog a pool scales on: its queue's recorded series, or the sum over all its queues."""
    if len(queues) == 1:
        return f'{recording_rule(queues[0])}{{namespace="{namespace}"}}'
    names = "|".join(queues)
    return f'sum({{__name__=~"koku:celery:({names})_queue", namespace="{namespace}"}})'


def backlog_series(queue: str) -> str:
    """The gauge Koku's workers export for a queue (the default queue's is ``default_backlog``)."""
    return f"{'default' if queue == 'celery' else queue}_backlog"


@dataclass(frozen=True, kw_only=True)
class Consumer:
    """One worker Deployment as the rules see it: its own queue, what it consumes and its alert threshold."""

    deployment: str
    queue: str
    consumes: tuple[str, ...]
    backlog_alert_threshold: int


class WorkerRules(Part):
    """``<release>-celery``: a recording rule per consumed queue and, when on, its two alerts."""

    def __init__(self, scope: constructs.Construct, id: str, *, tier: KokuTier, pools: list[Consumer]) -> None:
        super().__init__(scope, id)
        workers, plan = tier.values.cost_management.workers, tier.release.monitoring
        namespace = tier.values.namespace
        records, alerts = [], []
        consumers: dict[str, list[Consumer]] = {}
        for pool in pools:
            for consumed in pool.consumes:
                consumers.setdefault(consumed, []).append(pool)
        for queue, consuming in consumers.items():
            # The threshold of the queue's own pool when it has one, else of the first pool consuming it.
            threshold = next((p for p in consuming if p.queue == queue), consuming[0]).backlog_alert_threshold
            series = f'{recording_rule(queue)}{{namespace="{namespace}"}}'
            title = queue.title().replace("_", "")
            names = [p.deployment for p in consuming]
            deployment = " or ".join(names)
            gauge = f'{backlog_series(queue)}{{namespace="{namespace}"}}'
            expr = f"max by (namespace) (max_over_time({gauge}[5m]))"
            records.append({"record": recording_rule(queue), "expr": expr})
            selector = f'deployment="{names[0]}"' if len(names) == 1 else f'deployment=~"{"|".join(names)}"'
            available = f'sum(kube_deployment_status_replicas_available{{namespace="{namespace}", {selector}}})'

            alerts += [
                Alert(
                    name=f"KokuCeleryBacklog{title}",
                    expr=f"{series} > {threshold}",
                    duration=workers.alerts.backlog_for,
                    severity="warning",
                    labels={"queue": queue},
                    summary=f"Celery queue {queue} has more than {threshold} waiting tasks",
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
                    description=f"{deployment} has no available pod."
                    if len(names) == 1
                    else f"None of {', '.join(names)} has an available pod.",
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
