"""Reports for analysts and the report notebooks.

:mod:`sorkit.reports.queries` holds the report tables and charts; :mod:`sorkit.reports.overview`
the register overview of the start notebooks; :mod:`sorkit.reports.view` how the report notebooks
show tables and charts to their readers (Danish columns, header, PNG charts).
"""

from sorkit.reports.queries import (
    CHANGE_COLUMNS,
    QUALITY_CHECKS,
    change_counts,
    changes_in_period,
    data_quality,
    data_quality_summary,
    location_numbers,
    location_numbers_by_region,
    location_numbers_chart,
    pending_changes,
    period,
)

__all__ = [
    "CHANGE_COLUMNS",
    "QUALITY_CHECKS",
    "change_counts",
    "changes_in_period",
    "data_quality",
    "data_quality_summary",
    "location_numbers",
    "location_numbers_by_region",
    "location_numbers_chart",
    "pending_changes",
    "period",
]
