"""Names of the ROS tier's applications and components, importable without the construct runtime
(planning Secrets loads them, and must not start jsii)."""

from __future__ import annotations

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
