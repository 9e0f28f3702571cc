"""The change engine: plan a change, preview it, apply it, cancel it.

:mod:`sorkit.engine.plan` turns a change into events and checks the rules,
:mod:`sorkit.engine.values` holds :class:`Plan` and :class:`Applied`,
:mod:`sorkit.engine.preview` describes a plan, :mod:`sorkit.engine.cancel` cancels a change.
"""

from sorkit.engine.commit import project_events
from sorkit.engine.plan import (
    DATE_RULES,
    MAX_RETRIES,
    PREVIEW_COLUMNS,
    Applied,
    Plan,
    apply_plan,
    backoff,
    cancel_change,
    describe_changes,
    earliest_date,
    effective_date,
    new_change_id,
    plan_change,
    planned_versions,
    preview_frame,
)

__all__ = [
    "DATE_RULES",
    "Applied",
    "Plan",
    "apply_plan",
    "cancel_change",
    "earliest_date",
    "effective_date",
    "plan_change",
    "PREVIEW_COLUMNS",
    "describe_changes",
    "preview_frame",
    # Not the public API: the engine's own modules and sorkit.batch use these.
    "MAX_RETRIES",
    "backoff",
    "new_change_id",
    "planned_versions",
    "project_events",
]
