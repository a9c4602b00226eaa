"""The release context every tier shares: values, platform, naming, images, data-store
connections, and the registry of Secrets and ConfigMaps the built pods reference.

One :class:`Release` is made per synthesis and handed to every chart; a tier asks it for names,
connections and pull settings instead of deriving them. Plain Python: no Node at import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from .core.naming import Naming
from .core.platform import Platform, platform_for
from .core.references import References
from .core.secrets import SecretPlan
from .data.connections import Connections, connections
from .values import Values


@dataclass(frozen=True, kw_only=True)
class Release:
    """What every construct of one release needs; build one per synthesis."""

    values: Values
    references: References = field(default_factory=References)
    """Filled while constructs are built: what pods read and what the output provides."""

    @property
    def name(self) -> str:
        return self.values.release

    @property
    def namespace(self) -> str:
        return self.values.namespace

    @property
    def platform(self) -> Platform:
        return platform_for(self.values.platform)

    def naming(self, app: str, version: str) -> Naming:
        """Names and labels of one application (``app.kubernetes.io/name``) of this release."""
        return Naming(release=self.values.release, app=app, version=version)

    @cached_property
    def connections(self) -> Connections:
        return connections(self.values)

    @cached_property
    def secret_plans(self) -> list[SecretPlan]:
        """How every credential Secret of the release is made (tiers add theirs through ``cost_management``)."""
        from .cost_management.credentials import koku_secret_plans

        plans = [*self.connections.secret_plans, *koku_secret_plans(self.values)]
        return list({p.name: p for p in plans}.values())
