"""The preview of a plan: the version rows an apply would write and supersede, readable."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from sorkit.history import show
from sorkit.model import STATE_FIELDS, Version
from sorkit.snapshot import Snapshot
from sorkit.texts import FIELD_LABELS

PREVIEW_COLUMNS = ["action", "sor_code", "name", "valid_from", "valid_to", "parent", "changes"]


def preview_frame(snap: Snapshot, updates: Mapping[str, list[Version]]) -> pd.DataFrame:
    """The version rows an apply would write ("ny") and supersede ("erstattes")."""
    rows = []
    for code, new in updates.items():
        old = snap.versions(code)
        old_keys = {_key(v) for v in old}
        new_keys = {_key(v) for v in new}
        for v in old:
            if _key(v) not in new_keys:
                rows.append(("erstattes", code, v.name, v.valid_from, v.valid_to, v.parent, ""))
        for v in new:
            if _key(v) not in old_keys:
                before = snap.version_at(code, v.valid_from)
                rows.append(
                    (
                        "ny",
                        code,
                        v.name,
                        v.valid_from,
                        v.valid_to,
                        v.parent,
                        describe_changes(snap, before, v),
                    )
                )
    return pd.DataFrame.from_records(rows, columns=PREVIEW_COLUMNS)


def _key(v: Version) -> tuple[Any, ...]:
    return (v.valid_from, v.valid_to, v.set_fields, repr(v.state()))


def describe_changes(snap: Snapshot, before: Version | None, after: Version) -> str:
    """Readable "felt: gammel -> ny" lines between two versions ("oprettet" for a new unit)."""
    if before is None:
        return "oprettet"
    parts = []
    for name in STATE_FIELDS:
        old = show(snap, name, getattr(before, name), after.valid_from)
        new = show(snap, name, getattr(after, name), after.valid_from)
        if old != new:
            parts.append(f"{FIELD_LABELS.get(name, name)}: {old} -> {new}")
    return "; ".join(parts)
