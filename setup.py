"""Packaging beyond pyproject.toml: install the imports/ folder as ``ros_constructs.imports``."""

from setuptools import find_namespace_packages, find_packages, setup

BINDINGS = "ros_constructs.imports"

setup(
    packages=[
        *find_packages(include=["ros_constructs", "ros_constructs.*"]),
        BINDINGS,
        *(f"{BINDINGS}.{name}" for name in find_namespace_packages(where="imports")),
    ],
    package_dir={BINDINGS: "imports"},
)
