"""StewardApp: the SOR GUI in one widget, tree on the left and tabs on the right."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from sorkit.errors import SorkitError
from sorkit.texts import WIDGET_TEXTS
from sorkit.widgets.details import UnitDetails
from sorkit.widgets.forms_close import CloseForm
from sorkit.widgets.forms_create import CreateForm
from sorkit.widgets.forms_edit import EditForm
from sorkit.widgets.forms_location import LocationNumberForm
from sorkit.widgets.forms_move import MoveForm
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


class StewardApp(w.HBox):
    """The steward app: tree and quick search on the left, the tabs on the right.

    Tabs: Detaljer, Historik, Opret OE, Rediger OE, Flyt OE, Luk OE, Lokationsnummer and Søg;
    clicking a unit in the tree selects it for every tab.

    The pieces are attributes: ``tree``, ``details``, ``history``, ``create_form``,
    ``edit_form``, ``move_form``, ``close_form``, ``location_form``, ``search_panel``. ``controls`` holds ``quick_search``,
    ``quick_go``, ``quick_results`` and ``tabs``. After any apply, the tree, details, history
    and search are refreshed.
    """

    def __init__(self, reg: Register, only_mine: bool | None = None, **kwargs: Any):
        """Build the app; ``only_mine`` defaults to True for stewards."""
        super().__init__(**kwargs)
        self.reg = reg
        self.selected: str | None = None
        mine = reg.role == "steward" if only_mine is None else only_mine
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
        quick = w.Text(
            placeholder=T["quick_placeholder"],
            continuous_update=False,
            layout=w.Layout(width="260px"),
        )
        go = w.Button(description=T["quick_search"], icon="search")
        results = w.Dropdown(options=[], description=T["quick_results"])
        self.quick_message = w.HTML()
        self.controls = {
            "quick_search": quick,
            "quick_go": go,
            "quick_results": results,
            "tabs": tabs,
        }
        quick.observe(lambda _c: self.quick_search(), names="value")
        go.on_click(lambda _b: self.quick_search())
        results.observe(self._on_quick_pick, names="value")
        tabs.observe(self._on_tab, names="selected_index")
        self.tree.controls["as_of"].observe(self._on_date, names="value")
        self.tree.on_select(self._on_tree_select)
        self.search_panel.on_select(self.select)
        for form in (
            self.create_form,
            self.edit_form,
            self.move_form,
            self.close_form,
            self.location_form,
        ):
            form.on_applied(self._on_applied)
        left = w.VBox(
            [w.HBox([quick, go]), results, self.quick_message, self.tree],
            layout=w.Layout(width="38%", overflow="auto"),
        )
        self.children = [left, w.VBox([tabs], layout=w.Layout(width="62%"))]

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

    def quick_search(self) -> None:
        """Search by name or SOR code; the results go into the dropdown beside the box."""
        text = self.controls["quick_search"].value.strip()
        box = self.controls["quick_results"]
        if not text:
            return
        digits = text.replace(" ", "")
        try:
            if digits.isdigit() and len(digits) >= 8:
                found = self.reg.search(sor_code=digits, limit=25)
            else:
                found = self.reg.search(text, limit=25)
        except (SorkitError, ValueError, ImportError) as exc:
            self.quick_message.value = f"<span style='color:#a00'>{html.escape(str(exc))}</span>"
            return
        self.quick_message.value = (
            T["search_count"].format(count=len(found)) if len(found) else T["search_none"]
        )
        # Blank first choice, as in the search panel: index 0 from the browser picks nothing.
        box.options = [(T["choose"], None)] + [
            (f"{r.name} ({r.sor_code})", r.sor_code) for r in found.itertuples()
        ]
        box.value = None

    def _on_quick_pick(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self.select(change["new"])

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

    def _on_applied(self, applied: Applied) -> None:
        self.tree.reload(list(applied.sor_codes))
        self.details.refresh()
        if self._showing("history"):
            self.history.refresh()
        self.search_panel.refresh()
