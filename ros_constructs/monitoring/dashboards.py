"""``<release>-grafana-dashboard``: a ConfigMap with one Grafana dashboard for the stack.

Its rows come from the tiers (``TierSpec.dashboard``: the API tier, the queues, ROS processing);
this module lays them out two panels abreast. Queries name only series the rules record, the pods
export or kube-state-metrics and the kubelet's cAdvisor provide. The JSON is written with sorted
keys, so the same values give the same ConfigMap.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import constructs

from ..core.emit import Json, api_object
from ..core.inventory import PodOwner
from ..core.kinds import CONFIG_MAP
from ..core.naming import Naming
from ..core.tier import DashboardRow
from ..core.tree import Part, inventory
from ..release import Release

WIDTH, HEIGHT = 12, 8


def _layout(rows: Sequence[DashboardRow]) -> list[Json]:
    """Rows of two panels abreast, numbered in order."""
    panels, y = [], 0
    for row in rows:
        panels.append(
            {"type": "row", "title": row.title, "collapsed": False, "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}}
        )
        y += 1
        for i, panel in enumerate(row.panels):
            place = {"h": HEIGHT, "w": WIDTH, "x": (i % 2) * WIDTH, "y": y + (i // 2) * HEIGHT}
            panels.append({**panel, "gridPos": place})
        y += -(-len(row.panels) // 2) * HEIGHT
    return [{**p, "id": i} for i, p in enumerate(panels, start=1)]


def dashboard(release: Release, owners: Sequence[PodOwner]) -> Json:
    """The dashboard's JSON model; ``owners`` are the pod owners in the output."""
    return {
        "title": f"Cost Management on-prem ({release.name})",
        "uid": f"{release.name}-overview"[:40],
        "tags": ["cost-onprem"],
        "editable": False,
        "schemaVersion": 39,
        "refresh": "1m",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {
            "list": [{"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus"}]
        },
        "panels": _layout(release.dashboard_rows(owners)),
    }


class GrafanaDashboard(Part):
    """The dashboard in a ConfigMap labelled for Grafana's dashboard sidecar."""

    def __init__(self, scope: constructs.Construct, id: str, *, release: Release, naming: Naming) -> None:
        super().__init__(scope, id)
        model = dashboard(release, list(inventory(self).pod_owners()))
        component = "grafana-dashboard"
        api_object(
            self,
            "ConfigMap",
            kind=CONFIG_MAP,
            name=naming.name(component),
            labels={**release.values.monitoring.dashboards.labels, **naming.labels(component)},
            body={"data": {f"{release.name}.json": json.dumps(model, indent=2, sort_keys=True) + "\n"}},
        )
