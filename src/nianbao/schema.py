"""The JSON Schema of the Report JSON, generated from the template declaration."""

from __future__ import annotations

from .model import CONTRACT_VERSION
from .template import GOV2019, GOV2021, SECTIONS


def report_schema() -> dict:
    return {}
