"""``MonitoringChart``: the stack's ServiceMonitors, availability alerts and dashboard.

It comes last: it reads what the other charts built from the App's inventory (the metrics
ports on Services, the pod owners). Empty unless ``monitoring`` is on.
"""

from __future__ import annotations

import constructs

from ..core.tree import ReleaseChart
from ..release import Release, library_version
from .dashboards import GrafanaDashboard
from .rules import AvailabilityRules
from .service_monitors import ServiceMonitors


class MonitoringChart(ReleaseChart):
    """What Prometheus and Grafana need to watch the release."""

    def __init__(self, scope: constructs.Construct, id: str, *, release: Release) -> None:
        super().__init__(scope, id, namespace=release.namespace)
        plan, naming = release.monitoring, release.naming("cost-onprem", library_version())
        if plan.service_monitors:
            ServiceMonitors(self, "ServiceMonitors", plan=plan)
        if plan.alerts:
            AvailabilityRules(self, "Availability", plan=plan, naming=naming, namespace=release.namespace)
        if plan.dashboards:
            GrafanaDashboard(self, "Dashboard", release=release, naming=naming)
