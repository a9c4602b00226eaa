"""The composition root: the tiers of the stack, and their charts composed into one cdk8s App.

``TIERS`` is the one place that knows every tier; everything else (the release, NOTES.txt, the
docs, the edge and monitoring) reads what the tiers declare. Chart ids carry their apply order
with gaps (``10-base`` ... ``90-monitoring``), so ``cdk8s synth`` writes
``dist/40-cost-management.k8s.yaml`` and ``dist/kustomization.yaml`` lists the files in that
order for ``kubectl apply -k dist/``; a new chart takes a free number and renames nothing.
"""

from __future__ import annotations

import cdk8s
import constructs

from .core.tier import ChartSpec, TierSpec
from .core.tree import ReleaseChart, create_node_side
from .cost_management.spec import TIER as COST_MANAGEMENT
from .data.spec import TIER as DATA
from .edge.spec import TIER as EDGE
from .monitoring.spec import TIER as MONITORING
from .release import Release
from .ros.spec import TIER as ROS
from .values import Values

TIERS: tuple[TierSpec[Release], ...] = (DATA, COST_MANAGEMENT, ROS, EDGE, MONITORING)
"""Every tier, in the order their declarations are read (Secret plans, prerequisites, routes)."""


def _tier_charts() -> list[tuple[TierSpec[Release], ChartSpec[Release]]]:
    """Every tier's charts with their tier, in apply order."""
    found = sorted(((tier, chart) for tier in TIERS for chart in tier.charts), key=lambda tc: tc[1].order)
    orders = [chart.order for _, chart in found]
    if len(set(orders)) != len(orders):
        raise ValueError(f"two charts share an apply order: {[chart.id for _, chart in found]}")
    return found


def charts() -> list[ChartSpec[Release]]:
    """Every tier's charts in apply order."""
    return [chart for _, chart in _tier_charts()]


def chart_ids() -> list[str]:
    return [chart.id for chart in charts()]


def new_release(values: Values) -> Release:
    """The release of ``values`` made of :data:`TIERS`."""
    return Release(values=values, tiers=TIERS)


def add_stack(scope: constructs.Construct, release: Release) -> list[cdk8s.Chart]:
    """Build every chart of ``release`` into ``scope`` (your own App) in apply order.

    Ids are :func:`chart_ids`, so add it once per scope; a tier the values switch off gets an empty
    chart, so the files of every release are the same. Afterwards ``release.notes()`` says what the
    output expects to exist (NOTES.txt).
    """
    active = release.active_tiers
    return [
        chart.build(scope, chart.id, release)
        if tier in active
        else ReleaseChart(scope, chart.id, namespace=release.namespace)
        for tier, chart in _tier_charts()
    ]


class ReleaseApp(cdk8s.App):
    """A cdk8s App made without jsii's debug-mode argument checks (see :func:`create_node_side`)."""

    def __init__(self, outdir: str | None = None) -> None:
        create_node_side(self, {"outdir": outdir} if outdir else {})


def build_app(release: Release, outdir: str | None = None) -> cdk8s.App:
    """One App holding every chart of ``release``; nothing is written until ``synth()``."""
    app = ReleaseApp(outdir)
    add_stack(app, release)
    return app
