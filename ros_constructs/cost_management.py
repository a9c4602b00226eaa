"""``CostManagementChart``: the Koku tier as one cdk8s Chart."""

from __future__ import annotations

import cdk8s
import constructs

from .api import CostManagementApi
from .config import KokuTier
from .values import Values


class CostManagementChart(cdk8s.Chart):
    """Every Cost Management (Koku) object of a release, in the release namespace."""

    def __init__(self, scope: constructs.Construct, id: str, *, values: Values) -> None:
        super().__init__(scope, id, namespace=values.namespace, disable_resource_name_hashes=True)
        self.tier = KokuTier(values=values)
        self.api = CostManagementApi(self, "Api", tier=self.tier)
