"""Inheritance (nedarvning): a unit's effective addresses, electronic addresses and location number.

Whole blocks are inherited, resolved on the asked date (domain reference §1.3): no postal address
means the parent's (recursively); no visiting address means the unit's own effective postal
address; no activity address means its effective visiting address; ``inherit_electronic`` takes
the parent's phone/e-mail/website/fax block; ``inherit_location_number`` the parent's number.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sorkit.model import Version
from sorkit.snapshot import Snapshot

ELECTRONIC_FIELDS = ("phone", "email", "website", "fax")
INHERITABLE = (
    "postal_address",
    "visiting_address",
    "activity_address",
    *ELECTRONIC_FIELDS,
    "location_number",
)
_MAX_DEPTH = 64


def _up(snap: Snapshot, v: Version, day: dt.date) -> Version | None:
    return None if v.parent is None else snap.version_at(v.parent, day)


def resolve(
    snap: Snapshot, version: Version, day: dt.date
) -> tuple[dict[str, Any], dict[str, str]]:
    """Resolve a version's inherited blocks on ``day``.

    Args:
        snap: the register state to read ancestors from.
        version: the unit's version in force (or the reference version for a future or closed
            unit; ``day`` is then clamped into its interval).
        day: the date to resolve on.

    Returns:
        (values, inherited): effective values of :data:`INHERITABLE`, and for each value that
        comes from another unit, that unit's SOR code.
    """
    if day < version.valid_from:
        day = version.valid_from
    elif version.valid_to is not None and day >= version.valid_to:
        day = version.valid_to - dt.timedelta(days=1)
    values: dict[str, Any] = {}
    inherited: dict[str, str] = {}

    holder: Version | None = version
    for _ in range(_MAX_DEPTH):
        if holder is None or holder.postal_address is not None:
            break
        holder = _up(snap, holder, day)
    values["postal_address"] = holder.postal_address if holder else None
    if holder is not None and holder.sor_code != version.sor_code and holder.postal_address:
        inherited["postal_address"] = holder.sor_code

    if version.visiting_address is not None:
        values["visiting_address"] = version.visiting_address
    else:
        values["visiting_address"] = values["postal_address"]
        if "postal_address" in inherited:
            inherited["visiting_address"] = inherited["postal_address"]
    if version.activity_address is not None:
        values["activity_address"] = version.activity_address
    else:
        values["activity_address"] = values["visiting_address"]
        if "visiting_address" in inherited:
            inherited["activity_address"] = inherited["visiting_address"]

    holder = version
    for _ in range(_MAX_DEPTH):
        if holder is None or not holder.inherit_electronic:
            break
        holder = _up(snap, holder, day)
    for name in ELECTRONIC_FIELDS:
        values[name] = getattr(holder, name) if holder else None
        if holder is not None and holder.sor_code != version.sor_code and values[name]:
            inherited[name] = holder.sor_code

    holder = version
    for _ in range(_MAX_DEPTH):
        if holder is None or holder.location_number is not None:
            break
        if not holder.inherit_location_number:
            holder = None
            break
        holder = _up(snap, holder, day)
    values["location_number"] = holder.location_number if holder else None
    if holder is not None and holder.sor_code != version.sor_code and holder.location_number:
        inherited["location_number"] = holder.sor_code
    return values, inherited


def inheritors_of_location_number(snap: Snapshot, code: str, day: dt.date) -> list[str]:
    """Units under ``code`` that, on ``day``, use ``code``'s own location number by inheritance."""
    out: list[str] = []
    stack = [code]
    while stack:
        current = stack.pop()
        for child in snap.children(current, day):
            if child.location_number is None and child.inherit_location_number:
                out.append(child.sor_code)
                stack.append(child.sor_code)
    return sorted(out)
