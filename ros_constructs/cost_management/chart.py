"""``CostManagementChart``: the Koku tier as one cdk8s Chart."""

from __future__ import annotations

import constructs

from ..core.env_config import ENV_HOLDER
from ..core.tree import ReleaseChart, shared_part
from ..release import Release
from .alerts import KokuAlerts
from .api import CostManagementApi
from .beat import CeleryBeat
from .services import KokuServices
from .tier import KokuTier
from .upload import UploadService
from .workers import WorkerFleet


class CostManagementChart(ReleaseChart):
    """Every Cost Management (Koku) object of a release, in the release namespace."""

    def __init__(self, scope: constructs.Construct, id: str, *, release: Release) -> None:
        super().__init__(scope, id, namespace=release.namespace)
        self.tier = KokuTier(release=release)
        shared_part(self, ENV_HOLDER)  # holds the env ConfigMaps, created as pods ask for them
        self.api = CostManagementApi(self, "Api", tier=self.tier)
        self.services = KokuServices(self, "Services", tier=self.tier)
        self.workers = WorkerFleet(self, "Workers", tier=self.tier)
        if release.values.cost_management.enabled:
            UploadService(self, "Upload", tier=self.tier)
        if release.values.cost_management.beat.enabled:
            CeleryBeat(self, "Beat", tier=self.tier)
        if release.monitoring.alerts:
            KokuAlerts(self, "Alerts", tier=self.tier)
