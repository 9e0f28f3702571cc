"""StewardApp: the SOR GUI in one widget, tree on the left and tabs on the right."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as w

from sorkit.texts import WIDGET_TEXTS
from sorkit.widgets.addressui import register_status
from sorkit.widgets.details import UnitDetails
from sorkit.widgets.forms_close import CloseForm
from sorkit.widgets.forms_create import CreateForm
from sorkit.widgets.forms_edit import EditForm
from sorkit.widgets.forms_location import LocationNumberForm
from sorkit.widgets.forms_move import MoveForm
from sorkit.widgets.header import AppHeader
from sorkit.widgets.history import HistoryPanel
from sorkit.widgets.search_panel import SearchPanel
from sorkit.widgets.tree import UnitTree

if TYPE_CHECKING:
    from sorkit.engine.values import Applied
    from sorkit.register import Register

T = WIDGET_TEXTS
TAB_KEYS = ("details", "history", "create", "edit", "move", "close", "location", "search")
#: The attribute holding each tab's widget.
TAB_ATTRIBUTES = dict(
    zip(
        TAB_KEYS,
        (
            "details",
            "history",
            "create_form",
            "edit_form",
            "move_form",
            "close_form",
            "location_form",
            "search_panel",
        ),
        strict=True,
    )
)


class StewardApp(w.VBox):
    """The steward app: a header, the tree on the left and the tabs on the right.

    Tabs: Detaljer, Historik, Opret OE, Rediger OE, Flyt OE, Luk OE, Lokationsnummer and Søg;
    clicking a unit in the tree selects it for every tab.

    The pieces are attributes: ``header``, ``tree``, ``details``, ``history``, ``create_form``,
    ``edit_form``, ``move_form``, ``close_form``, ``location_form``, ``search_panel``.
    ``controls`` holds ``quick_search`` (the one search box in the header: a name, SOR code,
    CVR or location number; Enter searches), ``quick_go`` and ``tabs``. A search that finds
    one unit opens it in Detaljer; more go to the Søg tab's table, whose rows open the unit.
    After any apply, the tree, details, history and search are refreshed.
    """

    def __init__(self, reg: Register, only_mine: bool | None = None, **kwargs: Any):
        """Build the app; ``only_mine`` defaults to True for stewards."""
        super().__init__(**kwargs)
        self.reg = reg
        self.selected: str | None = None
        mine = reg.role == "steward" if only_mine is None else only_mine
        self.header = AppHeader(reg)
        self.tree = UnitTree(reg, only_mine=mine)
        self.details = UnitDetails(reg)
        self.history = HistoryPanel(reg)
        self.create_form = CreateForm(reg)
        self.edit_form = EditForm(reg)
        self.move_form = MoveForm(reg)
        self.close_form = CloseForm(reg)
        self.location_form = LocationNumberForm(reg)
        self.search_panel = SearchPanel(reg)
        pieces = [getattr(self, TAB_ATTRIBUTES[key]) for key in TAB_KEYS]
        tabs = w.Tab(children=pieces, titles=[T[f"tabs_{key}"] for key in TAB_KEYS])
        quick = self.header.controls["quick_search"]
        go = self.header.controls["quick_go"]
        self.quick_message = w.HTML()
        self.controls = {"quick_search": quick, "quick_go": go, "tabs": tabs}
        quick.observe(lambda _c: self.quick_search(), names="value")
        go.on_click(lambda _b: self.quick_search())
        tabs.observe(self._on_tab, names="selected_index")
        self.tree.controls["as_of"].observe(self._on_date, names="value")
        self.tree.on_select(self._on_tree_select)
        self.search_panel.on_select(self.open_unit)
        for form in (
            self.create_form,
            self.edit_form,
            self.move_form,
            self.close_form,
            self.location_form,
        ):
            form.on_applied(self._on_applied)
        self.address_status = register_status(reg.today)  # "Vejregister pr. ..." (#22)
        for box in (self.details.pending_box, self.history.pending_box):
            box.on_cancelled(self._on_cancelled)
        left = w.VBox(
            [self.quick_message, self.address_status, self.tree],
            layout=w.Layout(width="36%", overflow="auto"),
        )
        body = w.HBox([left, w.VBox([tabs], layout=w.Layout(width="64%"))])
        self.children = [self.header, body]

    def show_tab(self, key: str) -> None:
        """Bring a tab to the front (``"details"``, ``"move"``, ...)."""
        self.controls["tabs"].selected_index = TAB_KEYS.index(key)

    def _showing(self, key: str) -> bool:
        return self.controls["tabs"].selected_index == TAB_KEYS.index(key)

    def _on_tab(self, change: dict[str, Any]) -> None:
        if self._showing("history"):
            self.history.refresh()

    def _on_date(self, change: dict[str, Any]) -> None:
        if self.selected:
            self.details.set_unit(self.selected, as_of=self.tree.as_of)

    def select(self, sor_code: str) -> None:
        """Select a unit: reveal it in the tree (if shown there) and in every tab."""
        if not self.tree.reveal(sor_code):
            self._show_unit(sor_code)

    def open_unit(self, sor_code: str) -> None:
        """Select a unit (opening its ancestors in the tree) and show its Detaljer."""
        self.select(sor_code)
        self.show_tab("details")

    def quick_search(self) -> None:
        """Search the one box's text (name, SOR code, CVR or location number).

        One unit found: it opens in Detaljer. More: the Søg tab shows them as a table.
        """
        text = self.controls["quick_search"].value.strip()
        if not text:
            return
        self.header.busy(T["busy_search"])
        try:
            found = self.search_panel.search_for(text)
            if len(found) == 1:
                self.quick_message.value = self.search_panel.controls["count"].value
                self.open_unit(str(found.sor_code.iloc[0]))
            else:
                self.quick_message.value = ""
                self.show_tab("search")
        finally:
            self.header.busy(None)

    def _on_tree_select(self, sor_code: str) -> None:
        if self.move_form.picking:
            self.move_form.pick(sor_code)
            return
        self._show_unit(sor_code)

    def _show_unit(self, sor_code: str) -> None:
        self.selected = sor_code
        self.details.set_unit(sor_code, as_of=self.tree.as_of)
        self.history.set_unit(sor_code, load=self._showing("history"))
        for form in (
            self.create_form,
            self.edit_form,
            self.move_form,
            self.close_form,
            self.location_form,
        ):
            form.set_unit(sor_code)

    def _on_cancelled(self, change_id: str) -> None:
        """A pending change was cancelled: show it in the tree, tabs and search at once."""
        codes = [self.selected] if self.selected else []
        self.tree.reload(codes)
        self.details.refresh()
        if self._showing("history"):
            self.history.refresh()
        self.search_panel.refresh()
        for form in (self.edit_form, self.move_form, self.close_form, self.location_form):
            form.validate()

    def _on_applied(self, applied: Applied) -> None:
        self.tree.reload(list(applied.sor_codes))
        self.details.refresh()
        if self._showing("history"):
            self.history.refresh()
        self.search_panel.refresh()
