"""What changed in a location number, field by field, in Danish (history and audit).

A location number is one stored value (the number with its EDI attributes), so comparing only
the number showed a change of EDI types, EDB-system, net operator or "Kun internt brug" as "ingen
ændring". :func:`location_changes` lists every field that differs, old -> new: the number, each
EDI attribute (with the code's name), the EDI types added and removed, the flags and the note.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sorkit.gln.codes import code_label
from sorkit.model import LOCATION_CODE_FIELDS, LocationNumber
from sorkit.texts import LOCATION_NUMBER_LABELS, LOCATION_NUMBER_TEXTS

__all__ = ["describe_location_change", "location_changes"]

_L = LOCATION_NUMBER_LABELS
_T = LOCATION_NUMBER_TEXTS


def _as_dict(value: Any) -> Mapping[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, LocationNumber):
        return value.to_dict()
    if isinstance(value, Mapping):
        return value
    return None


def _text(name: str, value: Any) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if name in LOCATION_CODE_FIELDS:
        return code_label(name, value)
    return str(value)


def location_changes(old: Any, new: Any) -> list[str]:
    """Every changed field of a location number as ``"felt: gammel -> ny"`` (Danish).

    Args:
        old: the location number before (a :class:`LocationNumber`, its storage dict, or None).
        new: the location number after (the same kinds).

    Returns:
        One text per changed field; empty when nothing changed.
    """
    before, after = _as_dict(old), _as_dict(new)
    if before is None and after is None:
        return []
    empty: Mapping[str, Any] = {}
    b, a = before or empty, after or empty
    out: list[str] = []
    if b.get("gln") != a.get("gln"):
        out.append(f"{_L['gln']}: {_text('gln', b.get('gln'))} -> {_text('gln', a.get('gln'))}")
    if after is None:
        return out  # the number went away with all its attributes
    for name in (*LOCATION_CODE_FIELDS, "only_internal", "inactive"):
        was, now = b.get(name), a.get(name)
        if name in ("only_internal", "inactive"):
            was, now = bool(was), bool(now)
            if before is None and not now:
                continue  # a new number: only the flags that are set
        if was != now and not (was in (None, "") and now in (None, "")):
            out.append(
                _T["number_changed"].format(
                    label=_L[name], old=_text(name, was), new=_text(name, now)
                )
            )
    old_types = [str(t) for t in b.get("edi_types") or ()]
    new_types = [str(t) for t in a.get("edi_types") or ()]
    added = [t for t in new_types if t not in old_types]
    removed = [t for t in old_types if t not in new_types]
    if added:
        codes = ", ".join(code_label("edi_types", t) for t in added)
        out.append(_T["edi_added"].format(label=_L["edi_types"], codes=codes))
    if removed:
        codes = ", ".join(code_label("edi_types", t) for t in removed)
        out.append(_T["edi_removed"].format(label=_L["edi_types"], codes=codes))
    if (b.get("note") or None) != (a.get("note") or None):
        out.append(
            _T["number_changed"].format(
                label=_L["note"], old=_text("note", b.get("note")), new=_text("note", a.get("note"))
            )
        )
    return out


def describe_location_change(old: Any, new: Any) -> str:
    """:func:`location_changes` joined with "; " (empty when nothing changed)."""
    return "; ".join(location_changes(old, new))


def audit_lines(snap: Any, events: Any) -> list[str]:
    """The location-number changes a write makes, for its audit record ("felt: gammel -> ny").

    Args:
        snap: the register before the write (the plan's snapshot).
        events: the events the write stores; those assigning ``location_number`` count.
    """
    out: list[str] = []
    for event in events:
        if "location_number" not in event.assignments:
            continue
        was = (
            snap.version_at(event.sor_code, event.effective_from)
            if event.kind != "create"
            else None
        )
        old = was.location_number if was is not None else None
        out += location_changes(old, event.assignments["location_number"])
    return out
