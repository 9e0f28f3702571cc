"""Old path of :mod:`sorkit.search.frames` (tables of units), kept for one release.

Import from :mod:`sorkit.search.frames` instead; this module only re-exports it and goes away
in the next release.
"""

from sorkit.search.frames import (
    PATH_SEPARATOR,
    UNIT_COLUMNS,
    PathCache,
    hierarchy,
    unit_frame,
)

__all__ = ["PATH_SEPARATOR", "UNIT_COLUMNS", "PathCache", "hierarchy", "unit_frame"]
