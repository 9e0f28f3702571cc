"""Findings beside the field they concern (issue #16, item 7).

A form's findings used to sit below all its fields, two screens from the field they were about.
:func:`field_key` says which control a violation concerns (by its code and details);
:func:`attach_notes` puts an empty note right after each such control in the form's layout, and
:func:`note_html` fills it in. The full list stays by the save button as the summary.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

import ipywidgets as w

from sorkit.rules.codes import Violation
from sorkit.texts import FIELD_LABELS

_ADDRESS_PREFIX = {
    "postal_address": "postal",
    "visiting_address": "visiting",
    "activity_address": "activity",
}
_ADDRESS_FIELD = {
    "ADDRESS_POSTCODE_UNKNOWN": "postcode",
    "ADDRESS_STREET_UNKNOWN": "street",
    "ADDRESS_HOUSE_NUMBER_OUT_OF_RANGE": "house_number",
    "ADDRESS_NOT_VALIDATED": "skip_validation",
    "ADDRESS_REGISTER_NO_COVERAGE": "street",
}
_BY_CODE = {
    "NAME_REQUIRED": "name",
    "NAME_TOO_LONG": "name",
    "UNIT_TYPE_REQUIRED": "unit_type",
    "UNIT_TYPE_UNKNOWN": "unit_type",
    "PHONE_REQUIRED": "phone",
    "PHONE_INVALID": "phone",
    "EMAIL_INVALID": "email",
    "WEBSITE_INVALID": "website",
    "PUBLIC_INFORMATION": "phone",
    "SPECIALITIES_TOO_MANY": "specialities",
    "SPECIALITY_UNKNOWN": "specialities",
    "LOCAL_ATTRIBUTE_TOO_LONG": "local_attribute_1",
    "LOCAL_ATTRIBUTES_TOO_MANY": "local_attribute_1",
    "GLN_INVALID": "gln",
    "GLN_NOT_DANISH": "gln",
    "GLN_IN_USE": "gln",
    "GLN_EDI_FIELDS_REQUIRED": "gln",
    "GLN_NO_EDI_TYPES": "edi_types",
    "GLN_EDI_TYPE_UNKNOWN": "edi_types",
    "GLN_INACTIVE": "inactive",
    "GLN_INHERIT_WITHOUT_PARENT_GLN": "location_mode",
    "MOVE_SAME_PARENT": "new_parent",
    "MOVE_INTO_OWN_SUBTREE": "new_parent",
    "MOVE_BACK_TO_FORMER_PARENT": "new_parent",
    "MOVE_TARGET_NOT_ACTIVE": "new_parent",
    "MOVE_OUTSIDE_OWN_ORGANISATION": "new_parent",
    "CLOSE_HAS_OPEN_CHILDREN": "cascade",
    "PARENT_NOT_ACTIVE": "parent",
}
_DATE_CODES = {"DATE_TOO_EARLY", "EFFECTIVE_AFTER_CLOSE"}
_LABEL_KEYS = {label: key for key, label in FIELD_LABELS.items()}


def field_key(v: Violation, date_key: str | None) -> str | None:
    """The control key a finding concerns (None: the form as a whole)."""
    if v.code in _DATE_CODES:
        return date_key
    if v.code in _ADDRESS_FIELD:
        prefix = _ADDRESS_PREFIX.get(str(v.details.get("field", "")))
        return f"{prefix}_{_ADDRESS_FIELD[v.code]}" if prefix else None
    if v.code == "IDENTIFIER_INVALID":
        return _LABEL_KEYS.get(str(v.details.get("field", "")))
    return _BY_CODE.get(v.code)


def note_html(found: Iterable[Violation]) -> str:
    """The note beside a field: its findings in red (errors), orange (warnings) or blue."""
    colours = {"error": "#a00", "warning": "#b60", "notice": "#235"}
    lines = [
        f"<div style='color:{colours.get(v.severity, '#333')};max-width:520px;"
        f"white-space:normal;line-height:1.3'>{html.escape(v.message)}</div>"
        for v in found
    ]
    return "".join(lines)


def target_keys(date_key: str | None) -> set[str]:
    """Every control key a finding may concern."""
    keys = set(_BY_CODE.values()) | {
        f"{p}_{f}" for p in _ADDRESS_PREFIX.values() for f in _ADDRESS_FIELD.values()
    }
    keys |= set(_LABEL_KEYS.values())
    return keys | ({date_key} if date_key else set())


def attach_notes(root: Any, controls: dict[str, Any]) -> dict[str, w.HTML]:
    """Put a hidden note right after each control in ``root``'s layout; return them by key."""
    keys = {id(widget): key for key, widget in controls.items()}
    notes: dict[str, w.HTML] = {}

    def visit(box: Any) -> None:
        children = list(getattr(box, "children", ()) or ())
        changed = False
        out: list[Any] = []
        for child in children:
            out.append(child)
            key = keys.get(id(child))
            if key is not None and key not in notes:
                note = w.HTML(layout=w.Layout(margin="0 0 0 8px", display="none"))
                note.add_class("sorkit-field-note")
                notes[key] = note
                out.append(note)
                changed = True
            elif hasattr(child, "children") and not isinstance(child, w.Tab):
                visit(child)
        if changed:
            box.children = out

    visit(root)
    return notes
