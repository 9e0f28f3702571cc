"""The change engine: plan a change, preview it, apply it, cancel it.

:mod:`sorkit.engine.plan` turns a change into events and checks the rules,
:mod:`sorkit.engine.values` holds :class:`Plan` and :class:`Applied`,
:mod:`sorkit.engine.preview` describes a plan, :mod:`sorkit.engine.cancel` cancels a change.
"""

# Used by sorkit.engine.cancel and sorkit.batch (not part of the public API).
from sorkit.engine.plan import (  # noqa: F401
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
    project_events,
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
]
