"""How objects cross into cdk8s: rendered whole in Python, handed over as one string.

Building an object from cdk8s-plus's typed structs costs a runtime type check per struct and
a Node round trip per ``Quantity`` and ``IntOrString``; a JSON patch per field costs two more,
and jsii walks every value it carries twice on the Python side. The constructs of this library
are typed in Python already (dataclasses, pydantic values), so each object is rendered here to
plain JSON and made in one round trip as a ``ManifestObject`` (``typescript/index.ts``): an
``ApiObject`` whose props are that JSON's text, parsed in Node. cdk8s renders it like any other
``ApiObject`` (the chart's namespace and labels, metadata changes and JSON patches apply), with
keys sorted, ``None`` left out and empty objects (``emptyDir: {}``) kept. Every object is also
recorded in the App's :mod:`inventory`, which the edge, monitoring and the CLI read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import cdk8s
import constructs

from ..imports.manifest import ManifestObject
from .inventory import Emitted
from .inventory import Json as Json
from .kinds import Kind
from .tree import create_node_side, inventory


def json_ready(value: Any) -> Any:
    """``value`` with mapping keys sorted and ``None`` entries dropped, recursively."""
    if isinstance(value, Mapping):
        return {k: json_ready(v) for k, v in sorted(value.items()) if v is not None}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    return value


class RenderedObject(ManifestObject):  # type: ignore[misc]  # the generated binding is Any to mypy
    """A ``ManifestObject`` made from a rendered manifest, without jsii's debug-mode argument checks."""

    def __init__(self, scope: constructs.Construct, id: str, manifest: Json, *, cluster_scoped: bool) -> None:
        create_node_side(self, scope, id, json.dumps(manifest, allow_nan=False), cluster_scoped)


def api_object(
    scope: constructs.Construct,
    id: str,
    *,
    kind: Kind,
    name: str,
    labels: Mapping[str, str],
    annotations: Mapping[str, str] | None = None,
    body: Mapping[str, Any],
    cluster_scoped: bool = False,
    namespace: str | None = None,
) -> cdk8s.ApiObject:
    """One object in ``namespace`` or else the chart's (none when ``cluster_scoped``); ``body``
    holds every field besides metadata."""
    ready = json_ready(body)
    metadata = {"name": name, "namespace": namespace, "labels": labels or None, "annotations": annotations or None}
    manifest = {"apiVersion": kind.api_version, "kind": kind.kind, "metadata": json_ready(metadata), **ready}
    obj = RenderedObject(scope, id, manifest, cluster_scoped=cluster_scoped)
    emitted = Emitted(api_version=kind.api_version, kind=kind.kind, name=name, labels=dict(labels), body=ready)
    inventory(scope).objects.append(emitted)
    return obj
