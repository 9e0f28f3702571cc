"""Reusable controls: dates shown as dd-mm-åååå, address, electronic and location-number blocks.

The builders here create ipywidgets and bind them to a form (:class:`~.forms_base.FormBase`)
under stable keys; they hold no domain logic (street suggestions and code lists are lookups).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from sorkit import refdata
from sorkit.gln import codes as codevalues
from sorkit.model import LOCATION_CODE_FIELDS
from sorkit.texts import (
    FIELD_LABELS,
    LOCATION_NUMBER_LABELS,
    LOCATION_NUMBER_TEXTS,
    WIDGET_TEXTS,
)
from sorkit.widgets.state import INHERIT, LOCAL_ATTRIBUTE_SLOTS, NEW, NONE, OWN, SAME, set_item

if TYPE_CHECKING:
    from sorkit.widgets.forms_base import FormBase

T = WIDGET_TEXTS
WIDE = w.Layout(width="420px")
NARROW = w.Layout(width="140px")
STYLE = {"description_width": "150px"}


def choices(codes: dict[str, str], blank: bool = True) -> list[tuple[str, str]]:
    """Dropdown options ``(label, code)`` from a ``{code: name}`` table, blank first."""
    out = [(T["choose"], "")] if blank else []
    return out + [(f"{name} ({code})", code) for code, name in codes.items()]


def ensure_option(widget: Any, value: Any) -> None:
    """Add ``value`` to a selection widget's options if missing (codes not in our lists)."""
    values = value if isinstance(value, tuple) else (value,)
    known = {o[1] if isinstance(o, tuple) else o for o in widget.options}
    missing = [v for v in values if v not in known and v is not None]
    if missing:
        widget.options = list(widget.options) + [(str(v), v) for v in missing]


def date_field(form: FormBase, key: str, path: str, label: str) -> w.Widget:
    """A Danish date field (typed and shown dd-mm-åååå) bound to ``path``."""
    from sorkit.widgets.datefield import DanishDateField

    field = DanishDateField(description=label, style=STYLE)
    form.bind(key, field, path)
    return field


def text_field(form: FormBase, key: str, path: str, label: str, **kwargs: Any) -> w.Text:
    """A text box bound to ``path``."""
    box = w.Text(description=label, style=STYLE, layout=WIDE, **kwargs)
    form.bind(key, box, path)
    return box


def address_block(
    form: FormBase, prefix: str, path: str, label: str, same_label: str, same_mode: str
) -> w.VBox:
    """An address block (see :func:`sorkit.widgets.addressui.address_block`, #22)."""
    from sorkit.widgets.addressui import address_block as block

    return block(form, prefix, path, label, same_label, same_mode)


def _mode(values: Any, path: str) -> str:
    from sorkit.widgets.state import get_at

    return str(get_at(values, f"{path}.mode"))


def electronic_block(form: FormBase, path: str) -> w.VBox:
    """Electronic addresses with "Nedarves fra overliggende enhed" and the public-data note."""
    inherit = w.Checkbox(description=T["inherit_electronic"], indent=False)
    form.bind("inherit_electronic", inherit, f"{path}.inherit_electronic")
    boxes = [
        text_field(form, name, f"{path}.{name}", FIELD_LABELS[name])
        for name in ("phone", "email", "website", "fax")
    ]
    form.enable_when(boxes, lambda values: not _get(values, f"{path}.inherit_electronic"))
    note = w.HTML(f"<i>{T['public_note']}</i>")
    return w.VBox([w.HTML(f"<b>{T['electronic']}</b>"), note, inherit, *boxes])


def _get(values: Any, path: str) -> Any:
    from sorkit.widgets.state import get_at

    return get_at(values, path)


def location_block(form: FormBase, path: str, allow_none: bool = True) -> w.VBox:
    """Location number: a new one (the default), an existing one typed in, inherit, or none.

    Keys: ``location_mode`` (``"new"``, ``"own"``, ``"inherit"``, ``"none"``), ``gln``,
    ``region``, ``edb_system``, ``system_supplier``, ``net_operator``, ``administrator``,
    ``only_internal``, ``inactive``, ``edi_types``. A new number is given from the register's
    GS1 range when the change is saved; the code fields accept any code and suggest the known
    ones with their names (:mod:`sorkit.gln.codes`).
    """
    X = LOCATION_NUMBER_TEXTS
    options = [(X["mode_new"], NEW), (X["mode_existing"], OWN), (T["location_inherit"], INHERIT)]
    if allow_none:
        options.append((T["location_none"], NONE))
    mode = w.RadioButtons(
        options=options, description=T["location_mode"], style=STYLE, layout=w.Layout(width="auto")
    )
    form.bind("location_mode", mode, f"{path}.mode")
    L = LOCATION_NUMBER_LABELS
    gln = text_field(form, "gln", f"{path}.gln", L["gln"])
    combos = [code_combobox(form, key, f"{path}.{key}", L[key]) for key in LOCATION_CODE_FIELDS]
    internal = w.Checkbox(description=L["only_internal"], indent=False)
    inactive = w.Checkbox(description=L["inactive"], indent=False)
    form.bind("only_internal", internal, f"{path}.only_internal")
    form.bind("inactive", inactive, f"{path}.inactive")
    edi = w.SelectMultiple(
        options=[(label, code) for label, code in codevalues.suggestions("edi_types")],
        description=L["edi_types"],
        style=STYLE,
        layout=w.Layout(width="520px", height="120px"),
    )
    form.bind("edi_types", edi, f"{path}.edi_types", to_state=tuple)
    form.enable_when([gln], lambda values: _mode(values, path) == OWN)
    attributes = [*combos, internal, inactive, edi]
    form.enable_when(attributes, lambda values: _mode(values, path) in (OWN, NEW))
    return w.VBox([mode, gln, *combos, w.HBox([internal, inactive]), edi])


def code_combobox(form: FormBase, key: str, path: str, label: str) -> w.Combobox:
    """A code field that takes any code and suggests the known ones as "Navn (kode)".

    The state holds the bare code; a suggestion picked from the list is turned into its code.
    """
    pairs = codevalues.suggestions(key)
    to_code = dict(pairs)
    to_label = {code: text for text, code in pairs}
    box = w.Combobox(
        description=label,
        options=[text for text, _code in pairs],
        placeholder=LOCATION_NUMBER_TEXTS["code_hint"],
        ensure_option=False,
        style=STYLE,
        layout=WIDE,
    )
    form.bind(
        key,
        box,
        path,
        to_state=lambda text: to_code.get(text, (text or "").strip()),
        from_state=lambda code: to_label.get(code or "", code or ""),
    )
    return box


def local_attributes_block(form: FormBase, path: str) -> w.VBox:
    """Up to five local attributes of at most 20 characters (keys ``local_attribute_1``...)."""
    boxes = []
    for i in range(LOCAL_ATTRIBUTE_SLOTS):
        box = w.Text(description=T["local_attribute"].format(n=i + 1), style=STYLE, layout=WIDE)
        form.bind(
            f"local_attribute_{i + 1}",
            box,
            path,
            to_state=_slot_setter(i),
            from_state=_slot_getter(i),
            whole=True,
        )
        boxes.append(box)
    return w.VBox([w.HTML(f"<b>{T['local_attributes']}</b>"), *boxes])


def _slot_setter(index: int) -> Any:
    def setter(value: str, current: tuple[str, ...]) -> tuple[str, ...]:
        return set_item(current, index, value or "")

    return setter


def _slot_getter(index: int) -> Any:
    def getter(current: tuple[str, ...]) -> str:
        return current[index] if index < len(current) else ""

    return getter


def unit_type_dropdown(form: FormBase, key: str, path: str, level: str = "OE") -> w.Dropdown:
    """The unit-type list of a level (SNOMED CT codes with Danish names)."""
    drop = w.Dropdown(
        options=[(T["choose"], None)]
        + [(name, code) for code, name in refdata.unit_types_for_level(level).items()],
        description=FIELD_LABELS["unit_type"],
        style=STYLE,
        layout=WIDE,
    )
    form.bind(key, drop, path)
    return drop


def date_or_none(value: Any) -> dt.date | None:
    """A date from a picker value (None stays None)."""
    return value if isinstance(value, dt.date) else None


__all__ = [
    "INHERIT",
    "SAME",
    "address_block",
    "choices",
    "date_field",
    "electronic_block",
    "ensure_option",
    "local_attributes_block",
    "location_block",
    "text_field",
    "unit_type_dropdown",
]
