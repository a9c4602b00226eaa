"""Who takes the metrics operator's uploads: insights-ingress-go with Cost Management on, the
ROS-only insights-ros-ingress with it off; never both."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import render

from ros_constructs.app import new_release
from ros_constructs.values import ValuesError, load

UPLOAD_PREFIX = "/api/ingress/"


def _images(sets: list[str]) -> set[str]:
    values = load([], sets)
    docs: list[dict[str, Any]] = [o for chart in render(values).values() for o in chart]
    return {c["image"] for o in docs if o["kind"] == "Deployment" for c in o["spec"]["template"]["spec"]["containers"]}


@pytest.mark.parametrize("cost_management", [True, False])
def test_the_upload_route_leads_to_the_upload_service_of_the_mode(cost_management: bool) -> None:
    values = load([], [f"costManagement.enabled={str(cost_management).lower()}"])
    routes = [r for r in new_release(values).routes if r.prefix == UPLOAD_PREFIX]
    assert len(routes) == 1
    assert (routes[0].service, routes[0].port) == ("cost-onprem-ingress", 8080)
    images = _images([f"costManagement.enabled={str(cost_management).lower()}"])
    ingress_go, ros_ingress = values.images.ingress.ref, values.images.ros_ingress.ref
    assert (ingress_go in images, ros_ingress in images) == (cost_management, not cost_management)


def test_kafka_ssl_without_sasl_is_refused_naming_the_upload_service() -> None:
    with pytest.raises(ValuesError, match=r"securityProtocol SSL.*insights-ingress-go.*use SASL_SSL"):
        load([], ["kafka.securityProtocol=SSL"])
