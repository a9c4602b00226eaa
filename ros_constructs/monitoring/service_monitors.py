"""One ServiceMonitor per Service with a metrics port, read from the App's inventory.

Each selects its Service by the Service's own stable labels (name, instance, component), so no
two ServiceMonitors scrape one Service, and scrapes every metrics port of it by name. Prometheus
names the series' ``job`` after the Service.
"""

from __future__ import annotations

import constructs

from ..core.inventory import ScrapeTarget
from ..core.prometheus import service_monitor
from ..core.tree import Part, inventory
from ..release import MonitoringPlan


class ServiceMonitors(Part):
    """A ServiceMonitor for every scrape target the charts built before this one recorded."""

    def __init__(self, scope: constructs.Construct, id: str, *, plan: MonitoringPlan) -> None:
        super().__init__(scope, id)
        by_service: dict[str, list[ScrapeTarget]] = {}
        for target in inventory(self).scrape_targets:
            if target.service is None:
                raise ValueError(
                    f"{target.workload} serves metrics on port {target.port!r} but no Service exposes it: "
                    "a ServiceMonitor can only scrape ports on a Service (Port.expose)"
                )
            by_service.setdefault(target.service, []).append(target)
        for service, targets in by_service.items():
            service_monitor(
                self,
                service,
                name=service,
                labels={**plan.labels, **targets[0].labels},
                selector=targets[0].selector,
                endpoints=[{"port": t.port, "path": t.path, "interval": plan.interval} for t in targets],
            )
