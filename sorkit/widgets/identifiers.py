"""Specialities and identifiers in Opret OE and Rediger OE (issue #16, item 4).

Clinical specialities are chosen from the shipped list (``data/reference/sor_specialer.csv``)
in a multi-select (key ``specialities``; values are SNOMED CT codes, shown by Danish name);
the identifiers ydernummer, SHAK, P-nummer and CVR-nummer are text boxes (keys ``ydernummer``,
``shak``, ``p_number``, ``cvr``). The form plans on every change, so the existing rules
(SPECIALITIES_TOO_MANY, SPECIALITY_UNKNOWN, IDENTIFIER_INVALID) show their Danish messages while
the steward types.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as w

from sorkit import refdata
from sorkit.texts import FIELD_LABELS, WIDGET_TEXTS

if TYPE_CHECKING:
    from sorkit.widgets.forms_base import FormBase

T = WIDGET_TEXTS
_STYLE = {"description_width": "150px"}
IDENTIFIER_KEYS = ("ydernummer", "shak", "p_number", "cvr")


def speciality_options() -> list[tuple[str, str]]:
    """``(Danish name, SNOMED CT code)`` for every shipped speciality, by name."""
    return [(name, code) for code, name in refdata.specialities().items()]


def identifiers_block(form: FormBase, path: str) -> w.VBox:
    """The specialities multi-select and the four identifier boxes, bound under ``path``."""
    specialities = w.SelectMultiple(
        options=speciality_options(),
        description=FIELD_LABELS["specialities"],
        rows=6,
        style=_STYLE,
        layout=w.Layout(width="420px"),
    )
    form.bind(
        "specialities",
        specialities,
        f"{path}.specialities",
        to_state=lambda v: tuple(str(c) for c in v),
    )
    hint = w.HTML(f"<i style='color:#555'>{T['specialities_hint']}</i>")
    boxes: list[Any] = []
    for key in IDENTIFIER_KEYS:
        box = w.Text(
            description=FIELD_LABELS[key],
            style=_STYLE,
            layout=w.Layout(width="300px"),
        )
        form.bind(key, box, f"{path}.{key}")
        boxes.append(box)
    return w.VBox([w.HTML(f"<b>{T['identifiers']}</b>"), specialities, hint, *boxes])
