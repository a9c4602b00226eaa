"""``DataStore``: what every data-store construct shares: its application name and image, and
pods, ConfigMaps and operator-made objects recorded in the release's reference registry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import constructs

from ..core.conversations import Conversation
from ..core.emit import api_object
from ..core.kinds import CONFIG_MAP
from ..core.naming import Naming
from ..core.plumbing import build_workload
from ..core.pod import Container
from ..core.references import Kind
from ..core.workload import Controller, Workload
from ..release import Release
from ..values import Component, Image


@dataclass(frozen=True, kw_only=True)
class DataStore:
    """One data store of a release (``app.kubernetes.io/name`` = ``app``)."""

    release: Release
    app: str
    image: Image | None = None
    version: str | None = None
    """The ``app.kubernetes.io/version`` label when there is no image (default: the image's tag)."""

    @cached_property
    def naming(self) -> Naming:
        version = self.version or (self.image.version if self.image else None)
        assert version, f"data store {self.app} needs an image or a version"
        return self.release.naming(self.app, version)

    @property
    def image_ref(self) -> str:
        assert self.image is not None, f"data store {self.app} runs no image"
        return self.image.ref

    def workload(
        self,
        scope: constructs.Construct,
        id: str,
        *,
        component: str,
        container: Container,
        controller: Controller,
        termination_grace_period_seconds: int = 30,
        component_values: Component | None = None,
        talks_to: Sequence[Workload | Conversation],
        pod_annotations: Mapping[str, str] | None = None,
    ) -> Workload:
        """A pod of the store with the settings of its values block ``component_values``."""
        return build_workload(
            scope,
            id,
            self.release,
            naming=self.naming,
            component=component,
            container=container,
            controller=controller,
            termination_grace_period_seconds=termination_grace_period_seconds,
            component_values=component_values,
            talks_to=talks_to,
            pod_annotations=pod_annotations,
        )

    def config_map(
        self,
        scope: constructs.Construct,
        id: str,
        *,
        component: str,
        data: Mapping[str, str],
        annotations: Mapping[str, str] | None = None,
        provides: frozenset[str] | None = None,
    ) -> str:
        """A ConfigMap ``<release>-<component>``; ``provides`` overrides the keys it is known to hold
        (a CA bundle an operator injects)."""
        name = self.naming.name(component)
        api_object(
            scope,
            id,
            kind=CONFIG_MAP,
            name=name,
            labels=self.naming.labels(component),
            annotations=annotations,
            body={"data": dict(data) or None},
        )
        self.release.references.provide("ConfigMap", name, provides if provides is not None else frozenset(data))
        return name

    def operator_makes(self, kind: Kind, name: str, keys: frozenset[str]) -> None:
        """Record a Secret or ConfigMap an operator creates from one of our custom resources."""
        self.release.references.provide(kind, name, keys)
