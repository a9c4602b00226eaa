"""``<release>-availability``: alerts every component gets without metrics of its own.

They read Prometheus' ``up`` of the ServiceMonitors' targets and kube-state-metrics' view of the
release's Deployments, StatefulSets, Jobs and pods (all named ``<release>-...``). The tiers'
own alerts live with their components (``cost_management/alerts.py``, ``ros/alerts.py``,
``cost_management/queue_monitoring.py``).
"""

from __future__ import annotations

import constructs

from ..core.naming import Naming
from ..core.prometheus import Alert, prometheus_rule
from ..core.tree import Part
from ..release import MonitoringPlan


def availability_alerts(namespace: str, release: str) -> list[Alert]:
    def ours(label: str) -> str:
        """The matchers of the release's objects whose name is in ``label``."""
        return f'namespace="{namespace}", {label}=~"{release}-.+"'

    deployments, statefulsets = ours("deployment"), ours("statefulset")
    return [
        Alert(
            name="CostOnpremTargetDown",
            expr=f"up{{{ours('job')}}} == 0",
            duration="10m",
            severity="warning",
            summary="Prometheus cannot scrape {{ $labels.pod }} ({{ $labels.job }})",
            description="The metrics endpoint of {{ $labels.pod }} has not answered for 10 minutes; "
            "its alerts and dashboard panels are blind.",
        ),
        Alert(
            name="CostOnpremDeploymentDown",
            expr=f"kube_deployment_status_replicas_available{{{deployments}}} == 0"
            f" and on (namespace, deployment) kube_deployment_spec_replicas{{{deployments}}} > 0",
            duration="10m",
            severity="critical",
            summary="Deployment {{ $labels.deployment }} has no available pod",
            description="{{ $labels.deployment }} wants pods but none has been available for 10 minutes.",
        ),
        Alert(
            name="CostOnpremStatefulSetDown",
            expr=f"kube_statefulset_status_replicas_ready{{{statefulsets}}} == 0"
            f" and on (namespace, statefulset) kube_statefulset_replicas{{{statefulsets}}} > 0",
            duration="10m",
            severity="critical",
            summary="StatefulSet {{ $labels.statefulset }} has no ready pod",
            description="{{ $labels.statefulset }} (a data store) has had no ready pod for 10 minutes.",
        ),
        Alert(
            name="CostOnpremPodCrashLooping",
            expr="max_over_time(kube_pod_container_status_waiting_reason"
            f'{{{ours("pod")}, reason="CrashLoopBackOff"}}[5m]) >= 1',
            duration="15m",
            severity="warning",
            summary="Container {{ $labels.container }} of {{ $labels.pod }} is crash-looping",
            description="{{ $labels.pod }} has been restarting {{ $labels.container }} for 15 minutes.",
        ),
        Alert(
            name="CostOnpremJobFailed",
            expr=f'kube_job_failed{{{ours("job_name")}, condition="true"}} == 1',
            duration="5m",
            severity="warning",
            summary="Job {{ $labels.job_name }} failed",
            description="{{ $labels.job_name }} used up its retries or its deadline.",
        ),
    ]


class AvailabilityRules(Part):
    """The availability alert family, in one PrometheusRule."""

    def __init__(
        self, scope: constructs.Construct, id: str, *, plan: MonitoringPlan, naming: Naming, namespace: str
    ) -> None:
        super().__init__(scope, id)
        alerts = availability_alerts(namespace, naming.release)
        prometheus_rule(
            self,
            "Rule",
            name=naming.name("availability"),
            labels={**plan.labels, **naming.labels("availability")},
            groups=[("cost-onprem-availability.alerts", [a.rule(plan.runbook) for a in alerts])],
        )
