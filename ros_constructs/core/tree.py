"""Where a construct of this library stands, known in Python, and how its Node side is made.

cdk8s answers "which chart, which App" through Node (``Chart.of``, ``node.root``), one round
trip each. Every construct here takes its chart from its parent when it is made instead, so
recording an object in the App's inventory (:mod:`.emit`) asks Node nothing. A construct placed
in a chart of the caller's own (a plain ``cdk8s.Chart``) has no :class:`ReleaseChart` and finds
its inventory through Node.
"""

from __future__ import annotations

from typing import Any

import cdk8s
import constructs
import jsii

from .inventory import Inventory, app_inventory


def create_node_side(obj: constructs.IConstruct, *args: Any) -> None:
    """Make ``obj``'s Node object as jsii's generated constructors do, minus their debug-mode type
    checks: those import typeguard (25 to 45 ms, with unittest.mock and asyncio) and check every
    argument and struct field again. The constructs here are typed in Python already and pass
    cdk8s plain values; props go as a mapping with cdk8s's own (camelCase) keys."""
    jsii.create(type(obj), obj, list(args))


class ReleaseChart(cdk8s.Chart):
    """A chart of this library: object names are explicit, so no name hashes."""

    def __init__(self, scope: constructs.Construct, id: str, *, namespace: str | None = None) -> None:
        props = {"namespace": namespace, "disableResourceNameHashes": True}
        create_node_side(self, scope, id, {k: v for k, v in props.items() if v is not None})
        self.inventory = inventory(scope)
        self.parts: dict[str, Part] = {}
        """Shared holders other constructs add objects to on first use (the env ConfigMaps)."""


class Part(constructs.Construct):
    """A construct of this library: remembers its :class:`ReleaseChart` (None in a foreign chart)."""

    def __init__(self, scope: constructs.Construct, id: str) -> None:
        create_node_side(self, scope, id)
        self.release_chart = release_chart(scope)


def release_chart(scope: constructs.IConstruct) -> ReleaseChart | None:
    """The :class:`ReleaseChart` ``scope`` is in, without asking Node; None for any other scope."""
    if isinstance(scope, ReleaseChart):
        return scope
    if isinstance(scope, Part):
        return scope.release_chart
    return None


def inventory(scope: constructs.IConstruct) -> Inventory:
    """The inventory of the App ``scope`` belongs to."""
    chart = release_chart(scope)
    return chart.inventory if chart is not None else app_inventory(scope)


def shared_part(scope: constructs.Construct, id: str) -> constructs.Construct:
    """The construct ``id`` directly under ``scope``'s chart, made on first use."""
    chart = release_chart(scope)
    if chart is not None:
        if id not in chart.parts:
            chart.parts[id] = Part(chart, id)
        return chart.parts[id]
    foreign = cdk8s.Chart.of(scope)
    found = foreign.node.try_find_child(id)
    return found if isinstance(found, constructs.Construct) else constructs.Construct(foreign, id)
