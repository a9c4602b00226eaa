"""``ros-synth --format helm``: the synthesized output as a Helm chart that renders it verbatim.

The chart's templates are the chart files ros-synth writes anyway, so ``helm template`` and
``helm install`` produce exactly the objects of the YAML output; values were applied at synth
time and the chart has none. Our YAML holds text Go templates would read as actions
(PrometheusRule annotations such as ``{{ $labels.pod }}``, dashboard legend formats), so each
run of braces holding ``{{`` or ``}}`` is written in one escape form, an action that prints the
run as a string: ``{{ "{{" }} $labels.pod {{ "}}" }}``. Taking the whole run keeps a lone brace
next to it (``{}}``) from joining the action's own delimiter. Nothing else in a template is an action.
"""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import yaml

TEMPLATES = "templates"
CHART_FILES = "*.k8s.yaml"
NOTES = "NOTES.txt"
"""Helm prints ``templates/NOTES.txt`` after install and upgrade; ros-synth's NOTES.txt moves there."""
ESCAPE_FORM = re.compile(r'\{\{ "([{}]+)" \}\}')
"""The one action in our templates: it prints a run of braces."""
_BRACE_RUN = re.compile(r"[{}]*(?:\{\{|\}\})[{}]*")


def escape(text: str) -> str:
    """``text`` as a template that renders to ``text``."""
    return _BRACE_RUN.sub(lambda m: f'{{{{ "{m.group()}" }}}}', text)


def unescape(template: str) -> str:
    """What Helm renders from a template :func:`escape` wrote (the inverse of :func:`escape`)."""
    return ESCAPE_FORM.sub(lambda m: m.group(1), template)


def write_chart(directory: Path, *, name: str, app_version: str) -> None:
    """Turn a synthesized output directory (chart files and NOTES.txt) into a Helm chart in place.

    The chart files move into ``templates/`` with their delimiters escaped; Chart.yaml carries
    the package version, so a new ros-constructs release is a new chart version.
    """
    templates = directory / TEMPLATES
    templates.mkdir()
    for source in [*sorted(directory.glob(CHART_FILES)), directory / NOTES]:
        (templates / source.name).write_text(escape(source.read_text()))
        source.unlink()
    chart = {
        "apiVersion": "v2",
        "name": name,
        "description": "ROS-OCP and Cost Management (Koku) as synthesized by ros-constructs (values fixed).",
        "type": "application",
        "version": version("ros-constructs"),
        "appVersion": app_version,
    }
    (directory / "Chart.yaml").write_text(yaml.safe_dump(chart, sort_keys=False))
    (directory / "values.yaml").write_text(
        "# ros-synth applied the values when it wrote this chart: its templates are fixed YAML and\n"
        "# Helm values change nothing. To change the deployment, rerun ros-synth --format helm with\n"
        "# your values files and --set, then helm upgrade with the new chart.\n"
        "{}\n"
    )
