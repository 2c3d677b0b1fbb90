"""nianbao: read, check and write China's government information disclosure annual reports.

>>> import nianbao
>>> report = nianbao.parse("report.txt")
>>> report.to_json()["t3"]["new_received"]["total"]
"""

from .model import Cell, Report
from .parse import parse, parse_document
from .read import ReadError, read_bytes, read_path
from .version import __version__

__all__ = ["Cell", "ReadError", "Report", "__version__", "parse", "parse_document", "read_bytes", "read_path"]
