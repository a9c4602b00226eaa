"""ros-constructs: typed cdk8s constructs for ROS-OCP and the Cost Management (Koku) tier.

Import what you need; nothing here does I/O at import time::

    from ros_constructs import CostManagementChart, Values, load
"""

from .api import CostManagementApi
from .config import KokuTier
from .cost_management import CostManagementChart
from .naming import Naming
from .platform import Platform, platform_for
from .values import Values, ValuesError, load, parse
from .workload import Workload, WorkloadProps

__all__ = [
    "CostManagementApi",
    "CostManagementChart",
    "KokuTier",
    "Naming",
    "Platform",
    "Values",
    "ValuesError",
    "Workload",
    "WorkloadProps",
    "load",
    "parse",
    "platform_for",
]
