"""Compose the charts of a release into one cdk8s App.

Chart ids carry their apply order (``01-cost-management``), so ``cdk8s synth`` writes
``dist/01-cost-management.k8s.yaml`` and ``dist/kustomization.yaml`` lists the files in that
order for ``kubectl apply -k dist/``. All charts share one :class:`Release`, whose registry
afterwards says what the pods reference.
"""

from __future__ import annotations

from collections.abc import Callable

import cdk8s
import constructs

from .core.tree import create_node_side
from .cost_management.chart import CostManagementChart
from .data.base import BaseChart
from .data.chart import DataStoresChart
from .edge.chart import EdgeChart
from .monitoring.chart import MonitoringChart
from .release import Release
from .ros.chart import RosChart

ChartFactory = Callable[[constructs.Construct, str, Release], cdk8s.Chart]

CHARTS: list[tuple[str, ChartFactory]] = [
    ("base", lambda scope, id, release: BaseChart(scope, id, release=release)),
    ("data-stores", lambda scope, id, release: DataStoresChart(scope, id, release=release)),
    ("cost-management", lambda scope, id, release: CostManagementChart(scope, id, release=release)),
    ("ros", lambda scope, id, release: RosChart(scope, id, release=release)),
    ("edge", lambda scope, id, release: EdgeChart(scope, id, release=release)),
    ("monitoring", lambda scope, id, release: MonitoringChart(scope, id, release=release)),
]
"""(name, factory) in apply order."""


def chart_ids() -> list[str]:
    return [f"{index:02d}-{name}" for index, (name, _) in enumerate(CHARTS, start=1)]


def add_stack(scope: constructs.Construct, release: Release) -> list[cdk8s.Chart]:
    """Build every chart of ``release`` into ``scope`` (your own App) in apply order.

    Ids are :func:`chart_ids`, so add it once per scope. Afterwards ``release.notes()`` says what
    the output expects to exist (NOTES.txt).
    """
    return [factory(scope, chart_id, release) for chart_id, (_, factory) in zip(chart_ids(), CHARTS, strict=True)]


class ReleaseApp(cdk8s.App):
    """A cdk8s App made without jsii's debug-mode argument checks (see :func:`create_node_side`)."""

    def __init__(self, outdir: str | None = None) -> None:
        create_node_side(self, {"outdir": outdir} if outdir else {})


def build_app(release: Release, outdir: str | None = None) -> cdk8s.App:
    """One App holding every chart of ``release``; nothing is written until ``synth()``."""
    app = ReleaseApp(outdir)
    add_stack(app, release)
    return app
