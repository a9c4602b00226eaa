"""Compose the charts of a release into one cdk8s App.

Chart ids carry their apply order (``01-cost-management``), so ``cdk8s synth`` writes
``dist/01-cost-management.k8s.yaml`` and ``kubectl apply -f dist/`` applies them in order.
"""

from __future__ import annotations

from collections.abc import Callable

import cdk8s
import constructs

from .cost_management import CostManagementChart
from .values import Values

ChartFactory = Callable[[constructs.Construct, str, Values], cdk8s.Chart]

CHARTS: list[tuple[str, ChartFactory]] = [
    ("cost-management", lambda scope, id, values: CostManagementChart(scope, id, values=values)),
]
"""(name, factory) in apply order."""


def chart_ids() -> list[str]:
    return [f"{index:02d}-{name}" for index, (name, _) in enumerate(CHARTS, start=1)]


def build_app(values: Values, outdir: str | None = None) -> cdk8s.App:
    """One App holding every chart for ``values``; nothing is written until ``synth()``."""
    app = cdk8s.App(outdir=outdir) if outdir else cdk8s.App()
    for chart_id, (_, factory) in zip(chart_ids(), CHARTS, strict=True):
        factory(app, chart_id, values)
    return app
