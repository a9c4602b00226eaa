"""ros-constructs: typed cdk8s constructs for ROS-OCP and the Cost Management (Koku) tier.

Names resolve lazily, so ``import ros_constructs.values`` (validation only) does not start
the jsii Node runtime that every cdk8s import starts::

    from ros_constructs import CostManagementChart, Release, load
"""

from importlib import import_module
from typing import Any

_EXPORTS = {
    "build_app": "app",
    "CostManagementApi": "cost_management.api",
    "CostManagementChart": "cost_management.chart",
    "KokuTier": "cost_management.tier",
    "Connections": "data.connections",
    "Naming": "core.naming",
    "Platform": "core.platform",
    "platform_for": "core.platform",
    "Release": "release",
    "Values": "values",
    "ValuesError": "values",
    "load": "values",
    "parse": "values",
    "Workload": "core.workload",
    "WorkloadProps": "core.workload",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'ros_constructs' has no attribute {name!r}")
    return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
