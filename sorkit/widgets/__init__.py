"""The steward app and its pieces: ipywidgets over the public sorkit API.

Every widget takes a :class:`~sorkit.Register` and works in any notebook::

    from sorkit.widgets import StewardApp
    StewardApp(reg)

Each form exposes ``controls`` (stable key -> widget) so code and tests can set ``.value`` and
``.click()`` buttons without a browser; field values live in plain dataclasses
(:mod:`sorkit.widgets.state`), apart from the widgets.
"""

from __future__ import annotations

from sorkit.widgets.app import StewardApp
from sorkit.widgets.details import UnitDetails
from sorkit.widgets.forms_close import CloseForm
from sorkit.widgets.forms_create import CreateForm
from sorkit.widgets.forms_edit import EditForm
from sorkit.widgets.forms_location import LocationNumberForm
from sorkit.widgets.forms_move import MoveForm
from sorkit.widgets.history import HistoryPanel
from sorkit.widgets.search_panel import SearchPanel
from sorkit.widgets.tree import UnitTree

__all__ = [
    "CloseForm",
    "CreateForm",
    "EditForm",
    "HistoryPanel",
    "LocationNumberForm",
    "MoveForm",
    "SearchPanel",
    "StewardApp",
    "UnitDetails",
    "UnitTree",
]
