"""The statutory templates, declared once (see :mod:`nianbao.template.gov`)."""

from .gov import GOV2019, GOV2021, SECTIONS, TEMPLATES, template_for_year, template_of
from .spec import Block, Group, Item, Section, Table, Template

__all__ = [
    "GOV2019",
    "GOV2021",
    "SECTIONS",
    "TEMPLATES",
    "Block",
    "Group",
    "Item",
    "Section",
    "Table",
    "Template",
    "template_for_year",
    "template_of",
]
