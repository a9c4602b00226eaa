"""A clone's test run explains itself: skipped tests print why."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from conftest import ROOT


def test_a_clone_without_shared_prints_why_tests_skip() -> None:
    env = {**os.environ, "ROS_SHARED_DIR": "/nonexistent"}
    test = "tests/test_edge.py::test_authorino_is_release_scoped_and_its_auth_config_is_valid"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", test], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    reason = r"reference folder /nonexistent is absent \(set ROS_SHARED_DIR to point at shared/\)"
    assert re.search(rf"^SKIPPED \[1\] tests/test_edge\.py:\d+: {reason}$", result.stdout, re.M), result.stdout
