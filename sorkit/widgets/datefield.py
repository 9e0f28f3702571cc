"""A Danish date field: typed and shown as dd-mm-åååå, whatever the browser's locale.

The browser's own date picker shows mm/dd/yyyy in an English browser next to the app's
dd-mm-åååå texts; this field is a plain text box instead. Its ``value`` is a
:class:`datetime.date` (or None), so forms bind and tests set it like a date picker's; the text
in the box follows. Text that is not a date leaves ``value`` None and sets ``problem`` (a Danish
message shown under the box), which a form reports instead of planning.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import ipywidgets as w
import traitlets

from sorkit.dates import format_da
from sorkit.texts import WIDGET_TEXTS

T = WIDGET_TEXTS
_DA = re.compile(r"^\s*(\d{1,2})[-./ ](\d{1,2})[-./ ](\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def parse_da(text: str) -> dt.date | None:
    """A date from ``dd-mm-åååå`` (also ``d-m-åååå``, dots or slashes, or ISO ``åååå-mm-dd``).

    Returns:
        None for empty text.

    Raises:
        ValueError: the text is not such a date (Danish message naming the text).
    """
    if not text.strip():
        return None
    m = _DA.match(text)
    try:
        if m:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        m = _ISO.match(text)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        pass
    raise ValueError(T["date_invalid"].format(value=text.strip()))


class DanishDateField(w.VBox):
    """A text box for a date written dd-mm-åååå; ``value`` is the date (None when empty).

    ``text`` is the inner :class:`ipywidgets.Text`; ``problem`` the Danish message when the
    typed text is no date (empty otherwise).
    """

    value = traitlets.Any(None, allow_none=True)
    problem = traitlets.Unicode("")

    def __init__(self, description: str = "", value: dt.date | None = None, **kwargs: Any):
        """A field labelled ``description`` holding ``value``."""
        style = kwargs.pop("style", {"description_width": "150px"})
        super().__init__(**kwargs)
        self.text = w.Text(
            description=description,
            placeholder=T["date_placeholder"],
            continuous_update=False,
            style=style,
            layout=w.Layout(width="300px"),
        )
        self.message = w.HTML()
        self._typing = False
        self.text.observe(self._on_text, names="value")
        self.children = [self.text, self.message]
        self.value = value
        self._show()

    @property
    def description(self) -> str:
        """The label in front of the box."""
        return str(self.text.description)

    @traitlets.observe("value")
    def _on_value(self, change: dict[str, Any]) -> None:
        new = change["new"]
        if isinstance(new, dt.datetime):
            self.value = new.date()
            return
        if new is not None and not isinstance(new, dt.date):
            raise traitlets.TraitError(f"{new!r} er ikke en dato")
        if not self._typing:
            self.problem = ""
            self._show()

    def _show(self) -> None:
        self.text.value = format_da(self.value)
        self.message.value = ""

    def _on_text(self, change: dict[str, Any]) -> None:
        if self._typing:
            return
        try:
            day = parse_da(change["new"])
        except ValueError as exc:
            self.problem = str(exc)
            self.message.value = f"<span style='color:#a00'>{exc}</span>"
            self._typing = True
            try:
                self.value = None
            finally:
                self._typing = False
            return
        self.problem = ""
        self.message.value = ""
        self._typing = True
        try:
            self.value = day
        finally:
            self._typing = False
        if day is not None and change["new"] != format_da(day):
            self.text.value = format_da(day)  # show what was understood, dd-mm-åååå
