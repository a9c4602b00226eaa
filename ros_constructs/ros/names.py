"""Names of the ROS tier's applications, importable without the construct runtime.

Cost Management's env table and router need the ROS API's Service name; planning Secrets and
generating docs load that table, and neither may start jsii.
"""

from __future__ import annotations

from ..release import Release

BACKEND_APP = "rosocp"
KRUIZE_APP = "kruize"
SOURCES_APP = "sources-api"
INGRESS_APP = "insights-ros-ingress"
API_COMPONENT = "rosocp-api"
PROCESSOR_COMPONENT = "rosocp-processor"
POLLER_COMPONENT = "rosocp-recommendation-poller"
HOUSEKEEPER_COMPONENT = "rosocp-housekeeper"
INGRESS_COMPONENT = "ingress"
SOURCES_COMPONENT = "sources-api"


def ros_api_service(release: Release) -> str | None:
    """The ROS API Service when the ROS tier is on (Cost Management routes recommendations to it)."""
    values = release.values
    if not values.ros.enabled:
        return None
    return release.naming(BACKEND_APP, values.images.ros.version).name(API_COMPONENT)
