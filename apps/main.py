"""Entry point of ``cdk8s synth`` (see cdk8s.yaml): values from ``ROS_VALUES``, output to
``CDK8S_OUTDIR`` (set by the cdk8s CLI) or ``dist``. Same code path as ``ros-synth``."""

import os

from ros_constructs.tools.cli import run, values_files_from_env

if __name__ == "__main__":
    argv = [arg for path in values_files_from_env() for arg in ("-f", path)]
    run([*argv, "-o", os.environ.get("CDK8S_OUTDIR", "dist")])
