"""The address block of the unit forms and the street-register status line (#22).

The postcode gives the city (postdistrikt, shown beside it); the street box suggests the
register's streets of that postcode on every keystroke (prefix first, then "contains"); the
house-number box suggests the street's numbers and the line under it shows the street's ranges.
The widgets only look things up in :class:`~sorkit.addresses.AddressRegister`; validation stays
in the rules (the form's plan shows ADDRESS_* findings).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from sorkit.addresses import AddressRegister
from sorkit.texts import ADDRESS_TEXTS, WIDGET_TEXTS

if TYPE_CHECKING:
    import datetime as dt

    from sorkit.widgets.forms_base import FormBase

T = WIDGET_TEXTS
STYLE = {"description_width": "150px"}
WIDE = w.Layout(width="420px")
NARROW = w.Layout(width="140px")
#: How many streets the street box suggests.
SUGGESTIONS = 25


class AddressLookup:
    """The lookups behind one address block (plain functions of the register in use)."""

    def __init__(self, register: AddressRegister | None = None) -> None:
        self._register = register

    @property
    def register(self) -> AddressRegister:
        """The register (the one in use unless one was given)."""
        return self._register or AddressRegister.default()

    def city(self, postcode: str) -> str:
        """The city of a postcode ("" if unknown)."""
        code = postcode.strip()
        return (self.register.city(code) or "") if code else ""

    def streets(self, prefix: str, postcode: str) -> list[str]:
        """The streets to suggest for what is typed ([] without a known postcode)."""
        code = postcode.strip()
        if not code:
            return []
        return self.register.suggest(prefix or "", code, limit=SUGGESTIONS)

    def house_numbers(self, street: str, postcode: str) -> list[str]:
        """The house numbers to suggest for a street."""
        if not street.strip() or not postcode.strip():
            return []
        return self.register.house_numbers(street, postcode.strip())

    def ranges_text(self, street: str, postcode: str) -> str:
        """The street's ranges ("Husnumre: 1-7 (ulige), 2-4 (lige)"); "" if unknown."""
        if not street.strip() or not postcode.strip():
            return ""
        ranges = self.register.ranges(street, postcode.strip())
        if not ranges:
            return ""
        return ADDRESS_TEXTS["house_numbers"].format(
            numbers=", ".join(r.describe() for r in ranges)
        )


def address_block(
    form: FormBase,
    prefix: str,
    path: str,
    label: str,
    same_label: str,
    same_mode: str,
    lookup: AddressLookup | None = None,
) -> w.VBox:
    """An address with a mode checkbox ("Arv fra overliggende enhed"/"Som postadresse").

    Keys: ``{prefix}_{mode|postcode|street|house_number|floor|door|skip_validation}``; the
    city is ``form.address_cities[prefix]`` (an HTML widget, filled from the postcode).
    """
    from sorkit.widgets.controls import _mode
    from sorkit.widgets.state import OWN

    look = lookup or AddressLookup()
    mode = w.Checkbox(description=same_label, indent=False)
    form.bind(
        f"{prefix}_mode",
        mode,
        f"{path}.mode",
        to_state=lambda v: same_mode if v else OWN,
        from_state=lambda m: m != OWN,
    )
    postcode = w.Text(description=T["postcode"], style=STYLE, layout=w.Layout(width="240px"))
    city = w.HTML()
    street = w.Combobox(
        description=T["street"],
        placeholder=ADDRESS_TEXTS["choose_street"],
        style=STYLE,
        layout=WIDE,
        ensure_option=False,
    )
    number = w.Combobox(description=T["house_number"], style=STYLE, layout=w.Layout(width="240px"))
    ranges = w.HTML()
    floor = w.Text(description=T["floor"], layout=NARROW)
    door = w.Text(description=T["door"], layout=NARROW)
    skip = w.Checkbox(description=T["skip_validation"], indent=False)
    for key, widget in (
        ("postcode", postcode),
        ("street", street),
        ("house_number", number),
        ("floor", floor),
        ("door", door),
        ("skip_validation", skip),
    ):
        form.bind(f"{prefix}_{key}", widget, f"{path}.{key}")

    def on_postcode(change: dict[str, Any] | None = None) -> None:
        name = look.city(postcode.value)
        city.value = f"<span class='sorkit-city'>{html.escape(name)}</span>" if name else ""
        on_street()

    def on_street(change: dict[str, Any] | None = None) -> None:
        street.options = look.streets(street.value or "", postcode.value)
        number.options = look.house_numbers(street.value or "", postcode.value)
        ranges.value = (
            f"<small>{html.escape(look.ranges_text(street.value or '', postcode.value))}</small>"
        )

    street.observe(on_street, names="value")
    postcode.observe(on_postcode, names="value")
    on_postcode()
    cities = getattr(form, "address_cities", None)
    if cities is None:
        cities = {}
        form.address_cities = cities  # type: ignore[attr-defined]
    cities[prefix] = city
    fields = [postcode, street, number, floor, door, skip]
    form.enable_when(fields, lambda values: _mode(values, path) == OWN)
    return w.VBox(
        [
            w.HTML(f"<b>{label}</b>"),
            mode,
            w.HBox([postcode, city]),
            street,
            w.HBox([number, floor, door]),
            ranges,
            skip,
        ]
    )


def register_status(today: dt.date) -> w.HTML:
    """The register line for the app ("Vejregister pr. 02-02-2015"), warned when stale."""
    register = AddressRegister.default()
    text = html.escape(register.status_text())
    warning = register.stale_warning(today)
    if warning:
        text = f"<span style='color:#8a5a00'>&#9888; {html.escape(warning)}</span>"
    return w.HTML(f"<small class='sorkit-address-register'>{text}</small>")
