"""``CostManagementChart``: the Koku tier as one cdk8s Chart."""

from __future__ import annotations

import cdk8s
import constructs

from .api import CostManagementApi
from .beat import CeleryBeat
from .config import KokuConfigMap, KokuTier
from .edge.network import KokuNetworkPolicies
from .secrets import GeneratedSecrets
from .services import KokuServices
from .values import Values
from .workers import WorkerFleet


class CostManagementChart(cdk8s.Chart):
    """Every Cost Management (Koku) object of a release, in the release namespace."""

    def __init__(self, scope: constructs.Construct, id: str, *, values: Values) -> None:
        super().__init__(scope, id, namespace=values.namespace, disable_resource_name_hashes=True)
        self.tier = KokuTier(values=values)
        GeneratedSecrets(self, "Secrets", values=values, naming=self.tier.naming)
        KokuConfigMap(self, "Config", tier=self.tier)
        KokuNetworkPolicies(self, "NetworkPolicies", tier=self.tier)
        self.api = CostManagementApi(self, "Api", tier=self.tier)
        self.services = KokuServices(self, "Services", tier=self.tier)
        self.workers = WorkerFleet(self, "Workers", tier=self.tier)
        if values.cost_management.beat.enabled:
            CeleryBeat(self, "Beat", tier=self.tier)
