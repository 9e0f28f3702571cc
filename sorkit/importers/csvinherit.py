"""Inferring inheritance in a SOR2 CSV: from each row's effective values to own/inherited ones.

A CSV row shows a unit's *effective* values, so inheritance is inferred top-down: an SI/OE whose
postal address equals its parent's is stored as inheriting it, a visiting address equal to the
postal address as "same as postal", an activity address equal to the visiting one as "same as
visiting", an electronic block equal to the parent's as inherited, and a location number marked
``nedarvet`` (or equal to the parent's when there is no ``Nedarvningsstatus``) as inherited.
"""

from __future__ import annotations

from typing import Any

from sorkit.importers.common import UnitRecord
from sorkit.model import LOCATION_NUMBER_KEYS

__all__ = ["infer_inheritance"]


def infer_inheritance(records: list[UnitRecord], header: list[str]) -> None:
    """Turn a row's effective values into own/inherited ones (see the module text).

    Args:
        records: the parsed SOR2 records, changed in place.
        header: the file's columns.
    """
    by_code = {r.sor_code: r for r in records}
    effective: dict[str, dict[str, Any]] = {}
    done: set[str] = set()

    def visit(rec: UnitRecord, depth: int = 0) -> None:
        if rec.sor_code in done or depth > 64:
            return
        parent = by_code.get(rec.parent or "")
        if parent is not None and parent.sor_code not in done:
            visit(parent, depth + 1)
        done.add(rec.sor_code)
        state = rec.state
        eff = {
            k: state.get(k)
            for k in (
                "postal_address",
                "visiting_address",
                "activity_address",
                "phone",
                "email",
                "website",
                "fax",
                "location_number",
            )
        }
        effective[rec.sor_code] = eff
        rec.effective = eff
        p_eff = effective.get(parent.sor_code) if parent is not None else None
        ln_given = rec.extra.pop("_ln_inherit_given", False)
        if rec.level == "IE" or p_eff is None:
            if "visiting_address" in state and state.get("visiting_address") == state.get(
                "postal_address"
            ):
                state["visiting_address"] = None
            if (
                "activity_address" in state
                and state.get("activity_address") == eff["visiting_address"]
            ):
                state["activity_address"] = None
            return
        if "postal_address" in state and state["postal_address"] == p_eff["postal_address"]:
            state["postal_address"] = None
        if "visiting_address" in state and state["visiting_address"] == eff["postal_address"]:
            state["visiting_address"] = None
        if "activity_address" in state and state["activity_address"] == eff["visiting_address"]:
            state["activity_address"] = None
        block = ("phone", "email", "website", "fax")
        if "phone" in state and all(state.get(k) == p_eff[k] for k in block):
            state["inherit_electronic"] = True
            for k in block:
                state[k] = None
        if "location_number" in state:
            ln = state["location_number"]
            if state.get("inherit_location_number"):
                state["location_number"] = None
            elif (
                not ln_given
                and ln is not None
                and p_eff["location_number"] is not None
                and ln.get("gln") == p_eff["location_number"].get("gln")
            ):
                state["location_number"] = None
                state["inherit_location_number"] = True

    for rec in records:
        visit(rec)
        ln_carried = rec.extra.pop("_ln_carried", None)
        if ln_carried is not None and set(ln_carried) != set(LOCATION_NUMBER_KEYS) - {"edi_types"}:
            rec.ln_carried = frozenset(ln_carried)
