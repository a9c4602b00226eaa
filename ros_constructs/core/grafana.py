"""Grafana panels as plain JSON: what a tier's dashboard rows are made of (monitoring lays them out)."""

from __future__ import annotations

from collections.abc import Sequence

from .inventory import Json

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
"""The dashboard's ``datasource`` variable: whichever Prometheus the viewer picks."""


def _ref(index: int) -> str:
    """Grafana's query letters: A..Z, then AA, AB, ..."""
    return (_ref(index // 26 - 1) if index >= 26 else "") + chr(ord("A") + index % 26)


def panel(title: str, unit: str, targets: Sequence[tuple[str, str]]) -> Json:
    """A time series panel of ``(query, legend)`` targets."""
    return {
        "type": "timeseries",
        "title": title,
        "datasource": DATASOURCE,
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "targets": [
            {"expr": expr, "legendFormat": legend, "refId": _ref(i)} for i, (expr, legend) in enumerate(targets)
        ],
    }
