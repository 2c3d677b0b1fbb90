"""The corpus: every report in a database (SQLite by default, PostgreSQL on request).

>>> from nianbao.store import Corpus
>>> corpus = Corpus("nianbao.db")          # created and migrated on first use
>>> summary = corpus.ingest(["reports/"])  # files, folders, zip archives
"""

from .corpus import Corpus
from .db import DEFAULT_DB, StoreError, url_of
from .query import Filters

__all__ = ["DEFAULT_DB", "Corpus", "Filters", "StoreError", "url_of"]
