"""Old path of :mod:`sorkit.reports.overview` (the register overview), kept for one release.

Import from :mod:`sorkit.reports.overview` instead (``from sorkit.reports import overview``);
this module only re-exports it and goes away in the next release.
"""

from sorkit.reports.overview import (  # noqa: F401
    UNKNOWN_REGION,
    counts_by_level_and_region,
    counts_by_status,
    counts_by_type,
    unit_overview,
)

__all__ = [
    "UNKNOWN_REGION",
    "counts_by_level_and_region",
    "counts_by_status",
    "counts_by_type",
    "unit_overview",
]
