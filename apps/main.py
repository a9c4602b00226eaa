"""Entry point of ``cdk8s synth`` (see cdk8s.yaml): values from ``ROS_VALUES``, output to
``CDK8S_OUTDIR`` (set by the cdk8s CLI) or ``dist``. Same code path as ``ros-synth``."""

import os
import sys

from ros_constructs.tools.cli import main, values_files_from_env

if __name__ == "__main__":
    argv = [arg for path in values_files_from_env() for arg in ("-f", path)]
    sys.exit(main([*argv, "-o", os.environ.get("CDK8S_OUTDIR", "dist")]))
