"""Detaljer: every field of the selected unit, inherited values marked with where they come from."""

from __future__ import annotations

import datetime as dt
import html
from typing import TYPE_CHECKING, Any

import ipywidgets as w
import pandas as pd

from sorkit.dates import format_da
from sorkit.errors import SorkitError
from sorkit.model import Address, LocationNumber, Unit
from sorkit.texts import (
    FIELD_LABELS,
    INHERITED_FROM,
    LEVEL_LABELS,
    LOCATION_NUMBER_LABELS,
    STATUS_LABELS,
    WIDGET_TEXTS,
)
from sorkit.widgets.pending import PendingChanges

if TYPE_CHECKING:
    from sorkit.register import Register

T = WIDGET_TEXTS

#: The fields shown, in the order of the SOR GUI's detail page.
DETAIL_FIELDS = (
    "sor_code",
    "name",
    "level",
    "unit_type",
    "parent",
    "valid_from",
    "last_day",
    "status",
    "postal_address",
    "visiting_address",
    "activity_address",
    "phone",
    "email",
    "website",
    "fax",
    "location_number",
    "local_attributes",
    "specialities",
    "shak",
    "ydernummer",
    "pharmacy_id",
    "cvr",
    "p_number",
    "local_code",
    "replaces",
    "replaced_by",
)


def unit_label(reg: Register, sor_code: str | None, as_of: dt.date | None = None) -> str:
    """``Name (SOR code)`` for a code, or a dash when there is none or it is unknown."""
    if not sor_code:
        return "–"
    try:
        return html.escape(f"{reg.unit(sor_code, as_of=as_of).name} ({sor_code})")
    except (SorkitError, ValueError):
        return html.escape(str(sor_code))


def show_value(reg: Register, unit: Unit, name: str) -> str:
    """A field of the unit as readable Danish text."""
    value = getattr(unit, name)
    if name == "level":
        return LEVEL_LABELS.get(value, value)
    if name == "status":
        return STATUS_LABELS.get(value, value)
    if name == "unit_type":
        return f"{unit.unit_type_name or ''} ({value})" if value else ""
    if name == "parent":
        return unit_label(reg, value, unit.as_of)
    if isinstance(value, dt.date):
        return format_da(value)
    if isinstance(value, Address):
        return html.escape(value.one_line())
    if isinstance(value, LocationNumber):
        return location_text(value)
    if name == "local_attributes" and "" in value:  # a gap: say which slot each one is
        return html.escape(", ".join(f"nr. {i}: {v}" for i, v in enumerate(value, 1) if v))
    if isinstance(value, tuple):
        return html.escape(", ".join(value))
    return "" if value is None else html.escape(str(value))


def location_text(ln: LocationNumber) -> str:
    """A location number with its EDI attributes, one line per attribute."""
    L = LOCATION_NUMBER_LABELS
    from sorkit.gln.codes import code_label

    parts = [f"<b>{html.escape(ln.gln or '')}</b>"]
    for key in ("region", "edb_system", "system_supplier", "net_operator", "administrator"):
        if getattr(ln, key):
            parts.append(f"{L[key]}: {html.escape(code_label(key, getattr(ln, key)))}")
    flags = [L[k] for k in ("only_internal", "inactive") if getattr(ln, k)]
    if flags:
        parts.append(", ".join(flags))
    if ln.edi_types:
        types = ", ".join(code_label("edi_types", t) for t in ln.edi_types)
        parts.append(f"{L['edi_types']}: {html.escape(types)}")
    return "<br>".join(parts)


def source_text(reg: Register, unit: Unit, name: str) -> str:
    """Where an inherited value comes from (empty for the unit's own values)."""
    holder = unit.inherited.get(name)
    if not holder or holder == unit.sor_code:
        return ""
    try:
        holder_name = reg.unit(holder, as_of=unit.as_of).name
    except (SorkitError, ValueError):
        holder_name = holder
    return INHERITED_FROM.format(name=html.escape(holder_name), sor_code=holder)


def details_html(reg: Register, unit: Unit) -> str:
    """The detail table of a unit."""
    rows = []
    for name in DETAIL_FIELDS:
        value = show_value(reg, unit, name)
        source = source_text(reg, unit, name)
        if not value and not source and name not in ("sor_code", "name"):
            continue
        note = f"<i style='color:#666'>{source}</i>" if source else ""
        rows.append(
            f"<tr><th style='text-align:left;padding-right:1em'>{FIELD_LABELS.get(name, name)}</th>"
            f"<td>{value}</td><td>{note}</td></tr>"
        )
    return f"<table>{''.join(rows)}</table>"


def pending_of(reg: Register, sor_code: str) -> pd.DataFrame:
    """The unit's own changes that have not yet taken effect."""
    frame = reg.pending(under=sor_code)
    if len(frame):
        frame = frame[frame["sor_code"] == sor_code]
    return frame.reset_index(drop=True)


class UnitDetails(w.VBox):
    """Detaljer for one unit: every field, inherited values marked, pending changes listed.

    ``controls``: ``fields`` (the table, HTML) and ``pending`` (a
    :class:`~sorkit.widgets.pending.PendingChanges`: each pending change with "Annuller
    ændring").
    """

    def __init__(self, reg: Register, sor_code: str | None = None, **kwargs: Any):
        """Show ``sor_code`` (or nothing until :meth:`set_unit`)."""
        super().__init__(**kwargs)
        self.reg = reg
        self.unit: Unit | None = None
        self.pending = pd.DataFrame()
        self.pending_box = PendingChanges(reg)
        self.pending_box.on_cancelled(lambda _id: self.refresh())
        self.controls: dict[str, Any] = {"fields": w.HTML(), "pending": self.pending_box}
        self.children = [self.controls["fields"], self.pending_box]
        self.set_unit(sor_code)

    def set_unit(self, sor_code: str | None, as_of: dt.date | None = None) -> None:
        """Show the unit on ``as_of`` (default today)."""
        if not sor_code:
            self.unit = None
            self.controls["fields"].value = T["no_unit"]
            self.pending_box.show(pd.DataFrame())
            return
        try:
            self.unit = self.reg.unit(sor_code, as_of=as_of)
        except (SorkitError, ValueError) as exc:
            self.unit = None
            self.controls["fields"].value = html.escape(str(exc))
            self.pending_box.show(pd.DataFrame())
            return
        self.controls["fields"].value = f"<h4>{html.escape(self.unit.name)}</h4>" + details_html(
            self.reg, self.unit
        )
        self.pending = pending_of(self.reg, self.unit.sor_code)
        self.pending_box.show(self.pending, keep_message=True)

    def refresh(self) -> None:
        """Re-read the shown unit (after a change)."""
        if self.unit is not None:
            self.set_unit(self.unit.sor_code, self.unit.as_of)
