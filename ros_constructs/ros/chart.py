"""``RosChart``: the ROS tier as one cdk8s Chart."""

from __future__ import annotations

import constructs

from ..core.env_config import ENV_HOLDER
from ..core.tree import ReleaseChart, shared_part
from ..release import Release
from .alerts import RosAlerts
from .backend import RosBackend
from .ingress import UploadIngress
from .kruize import KruizeEngine
from .sources import SourcesApi
from .tier import RosTier


class RosChart(ReleaseChart):
    """The ROS backend, Kruize, the Sources API and (ROS-only) the upload ingress of a release."""

    def __init__(self, scope: constructs.Construct, id: str, *, release: Release) -> None:
        super().__init__(scope, id, namespace=release.namespace)
        tier = RosTier(release=release)
        shared_part(self, ENV_HOLDER)  # holds the env ConfigMaps, created as pods ask for them
        RosBackend(self, "Backend", tier=tier)
        KruizeEngine(self, "Kruize", tier=tier)
        if release.values.runs_sources_api():
            SourcesApi(self, "Sources", tier=tier)
        if not release.values.cost_management.enabled:  # with Koku, its upload service takes uploads
            UploadIngress(self, "Ingress", tier=tier)
        if release.monitoring.alerts:
            RosAlerts(self, "Alerts", tier=tier)
