"""Search and result tables.

:mod:`sorkit.search.query` parses the inputs and picks the units, :mod:`sorkit.search.index`
keeps every version as numpy columns with a per-date view, :mod:`sorkit.search.match` matches
``*``/``?`` patterns, :mod:`sorkit.search.resultframes` builds result tables column by column
and :mod:`sorkit.search.frames` gives the unit tables (``unit_frame``, ``hierarchy``).
"""

from sorkit.search.query import (
    Pattern,
    glob_match,
    parse_pattern,
    search,
)

__all__ = [
    "Pattern",
    "glob_match",
    "parse_pattern",
    "search",
]
