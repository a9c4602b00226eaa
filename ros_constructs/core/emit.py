"""How objects cross into cdk8s: rendered whole in Python, handed over once at synth.

Building an object from cdk8s-plus's typed structs costs a runtime type check per struct and
a Node round trip per ``Quantity`` and ``IntOrString``, and a JSON patch per field costs two
more. The constructs of this library are typed in Python already (dataclasses, pydantic
values), so each object is one :class:`RenderedObject`: an ``ApiObject`` made with its metadata
(one round trip) whose ``to_json`` returns the document this module rendered (one callback
when cdk8s synthesizes it). Every object is also recorded in the App's :mod:`inventory`. The
output is what cdk8s writes for structs: keys sorted, ``None`` left out, empty objects
(``emptyDir: {}``) kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import cdk8s
import constructs

from .inventory import Emitted
from .inventory import Json as Json
from .tree import create_node_side, inventory, release_chart


def json_ready(value: Any) -> Any:
    """``value`` with mapping keys sorted and ``None`` entries dropped, recursively."""
    if isinstance(value, Mapping):
        return {k: json_ready(v) for k, v in sorted(value.items()) if v is not None}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    return value


class RenderedObject(cdk8s.ApiObject):
    """An ``ApiObject`` whose document is rendered here and handed to cdk8s whole.

    cdk8s keeps its metadata, so ``name``, ``kind`` and the construct tree read as for any
    ``ApiObject``. Changing it through cdk8s's API from Python (``metadata``,
    ``add_json_patch``) first hands the body over as JSON patches; from then on cdk8s renders
    it like any other ``ApiObject``, so such changes are never lost.
    """

    def __init__(
        self,
        scope: constructs.Construct,
        id: str,
        *,
        emitted: Emitted,
        metadata: Mapping[str, Any],
        document: Json | None,
        cluster_scoped: bool,
    ) -> None:
        """``document``: the whole object, or None to let cdk8s render it from the start (in a
        chart this library does not know, whose namespace and labels only Node knows)."""
        self._body = emitted.body
        self._cluster_scoped = cluster_scoped
        self._document = document
        create_node_side(
            self, scope, id, {"apiVersion": emitted.api_version, "kind": emitted.kind, "metadata": metadata}
        )
        if document is None:
            self._hand_over()

    def _hand_over(self) -> None:
        """Give cdk8s the body as patches and let it render the object from now on."""
        self._document = None
        patches = [cdk8s.JsonPatch.add(f"/{field}", value) for field, value in self._body.items()]
        if self._cluster_scoped:  # cdk8s gives every object its chart's namespace
            patches.append(cdk8s.JsonPatch.remove("/metadata/namespace"))
        super().add_json_patch(*patches)

    @property
    def metadata(self) -> cdk8s.ApiObjectMetadataDefinition:
        if self._document is not None:
            self._hand_over()
        return super().metadata

    def add_json_patch(self, *ops: cdk8s.JsonPatch) -> None:
        if self._document is not None:
            self._hand_over()
        super().add_json_patch(*ops)

    def to_json(self) -> Any:
        return super().to_json() if self._document is None else self._document


def adopt(scope: constructs.IConstruct, obj: cdk8s.ApiObject) -> None:
    """Record an object cdk8s renders itself (a typed CRD binding) in the App's inventory, as cdk8s
    renders it now, so the inventory holds every object this library makes."""
    document = obj.to_json()
    metadata = document["metadata"]
    body = {k: v for k, v in document.items() if k not in ("apiVersion", "kind", "metadata")}
    emitted = Emitted(
        api_version=document["apiVersion"],
        kind=document["kind"],
        name=metadata["name"],
        labels=metadata.get("labels", {}),
        body=body,
    )
    inventory(scope).objects.append(emitted)


def api_object(
    scope: constructs.Construct,
    id: str,
    *,
    api_version: str,
    kind: str,
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
    emitted = Emitted(api_version=api_version, kind=kind, name=name, labels=dict(labels), body=ready)
    chart = release_chart(scope)
    metadata = json_ready(
        {"name": name, "namespace": namespace, "labels": labels or None, "annotations": annotations or None}
    )
    document = None
    if chart is not None:
        rendered = {**metadata, "namespace": None if cluster_scoped else namespace or chart.default_namespace}
        document = {"apiVersion": api_version, "kind": kind, "metadata": json_ready(rendered), **ready}
    obj = RenderedObject(
        scope, id, emitted=emitted, metadata=metadata, document=document, cluster_scoped=cluster_scoped
    )
    inventory(scope).objects.append(emitted)
    return obj
