"""The hierarchy tree: the one adapter to ipytree, loading children lazily when a node opens.

Only the roots are built up front; a unit's children are read (``reg.children``) the first
time its node opens, so a national register of 100,000 units is never built as a whole.
A node that may have children carries a placeholder child so ipytree shows its "+".

ipytree bug (jupyter-widgets-contrib/ipytree#51): after nodes are added to a parent, the
existing children lose their +/- icons. Re-attaching the top-level node redraws it; that is
done in :meth:`UnitTree._redraw` and nowhere else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import ipywidgets as w
from ipytree import Node, Tree

from sorkit.dates import format_da
from sorkit.errors import SorkitError
from sorkit.texts import LEVEL_LABELS, WIDGET_TEXTS

if TYPE_CHECKING:
    from sorkit.register import Register

T = WIDGET_TEXTS
#: Font Awesome 4 icon per level and ipytree icon style per status.
LEVEL_ICONS = {"IE": "university", "SI": "hospital-o", "OE": "folder"}
STATUS_STYLES = {"active": "success", "future": "info", "closing": "warning", "closed": "danger"}
STATUS_ICONS = {"closed": "ban", "future": "clock-o"}


def node_label(row: Any) -> str:
    """A node's text: the name, plus the date for future, closing and closed units."""
    status = row.status
    if status == "future":
        return f"{row.name} ({T['status_future'].format(date=format_da(row.valid_from))})"
    if status == "closing":
        return f"{row.name} ({T['status_closing'].format(date=format_da(row.last_day))})"
    if status == "closed":
        return f"{row.name} ({T['status_closed'].format(date=format_da(row.last_day))})"
    return str(row.name)


class UnitTree(w.VBox):
    """The SOR hierarchy as a lazily loaded tree, with "Kun mine enheder", closed units and date.

    Keys of ``controls``: ``only_mine``, ``show_closed``, ``as_of`` (the "Vis pr. dato" picker)
    and ``tree`` (the ipytree ``Tree``). Clicking a node selects its unit: ``selected`` holds
    the SOR code and the :meth:`on_select` callbacks are called.
    """

    def __init__(self, reg: Register, only_mine: bool = False, **kwargs: Any):
        """Build the tree's roots (IEs, or the user's scope roots with ``only_mine``)."""
        super().__init__(**kwargs)
        self.reg = reg
        self.selected: str | None = None
        self._listeners: list[Callable[[str], None]] = []
        self._nodes: dict[str, Node] = {}
        self._codes: dict[str, str] = {}  # node id -> SOR code
        self._loaded: dict[str, list[str]] = {}
        self._parent: dict[str, str | None] = {}
        self._opened: set[str] = set()
        self._quiet = False
        c = self.controls = {
            "only_mine": w.Checkbox(value=only_mine, description=T["only_mine"], indent=False),
            "show_closed": w.Checkbox(description=T["show_closed"], indent=False),
            "as_of": w.DatePicker(value=reg.today, description=T["as_of"]),
            "tree": Tree(multiple_selection=False),
        }
        for key in ("only_mine", "show_closed", "as_of"):
            c[key].observe(lambda _c: self.refresh(), names="value")
        self.date_text = w.HTML()
        self.children = [
            w.HBox([c["only_mine"], c["show_closed"]]),
            w.HBox([c["as_of"], self.date_text]),
            c["tree"],
        ]
        self.refresh()

    # -- public ---------------------------------------------------------------------------

    @property
    def as_of(self) -> dt.date:
        """The date the tree shows (default the register's today)."""
        return self.controls["as_of"].value or self.reg.today

    def on_select(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(sor_code)`` whenever a unit is clicked or selected."""
        self._listeners.append(callback)

    def node(self, sor_code: str) -> Node | None:
        """The node of a unit, if it has been built."""
        return self._nodes.get(sor_code)

    def root_codes(self) -> list[str]:
        """SOR codes of the top-level nodes."""
        return [self._codes[n._id] for n in self.controls["tree"].nodes]

    def loaded_children(self, sor_code: str) -> list[str] | None:
        """SOR codes of a unit's child nodes, or None while they are not loaded."""
        return None if sor_code not in self._loaded else list(self._loaded[sor_code])

    def open_unit(self, sor_code: str) -> list[str]:
        """Open a unit's node (loading its children) and return the children's codes."""
        node = self._nodes.get(sor_code)
        if node is None:
            return []
        self._opened.add(sor_code)
        self._load(sor_code)
        node.opened = True
        return list(self._loaded.get(sor_code, []))

    def reveal(self, sor_code: str) -> bool:
        """Open the path from the root down to ``sor_code`` and select it (False if absent)."""
        try:
            chain = list(self.reg.ancestors(sor_code, as_of=self.as_of)["sor_code"])
        except (SorkitError, ValueError):
            return False
        for code in chain:
            self.open_unit(code)
        if sor_code not in self._nodes:
            return False
        self.select(sor_code)
        return True

    def select(self, sor_code: str) -> None:
        """Select a unit's node (as a click does)."""
        node = self._nodes.get(sor_code)
        if node is not None and not node.selected:
            node.selected = True  # the observer does the rest
        else:
            self._selected(sor_code)

    def refresh(self) -> None:
        """Rebuild from the roots on the chosen date, re-opening the nodes that were open."""
        day = self.as_of
        self.date_text.value = format_da(day)
        self._nodes.clear()
        self._codes.clear()
        self._loaded.clear()
        self._parent.clear()
        roots = self.reg.roots(as_of=day, only_mine=self.controls["only_mine"].value)
        nodes = [self._make(row, None) for row in roots.itertuples()]
        self.controls["tree"].nodes = tuple(nodes)
        self._reopen()

    def reload(self, sor_codes: list[str] | tuple[str, ...] = ()) -> None:
        """Show a change of ``sor_codes``, leaving the rest of the tree as it is.

        Reloads the loaded nodes that held the units and their parents now (opening the path
        down to them).
        """
        stale = {p for p, kids in self._loaded.items() if set(kids) & set(sor_codes)}
        for code in sor_codes:
            try:
                parent = self.reg.unit(code, as_of=self.as_of).parent
                if parent is None:
                    continue
                chain = list(self.reg.ancestors(parent, as_of=self.as_of)["sor_code"])
            except (SorkitError, ValueError):
                continue
            stale.add(parent)
            self._opened.update([*chain, parent])
        for parent in stale:
            if parent in self._nodes:
                self._forget(parent)
        self._reopen()

    def _reopen(self) -> None:
        """Open (top down) every node that is meant to be open and has been built."""
        waiting = {c for c in self._opened if c not in self._loaded}
        while ready := [c for c in waiting if c in self._nodes]:
            for code in ready:
                self.open_unit(code)
                waiting.discard(code)
        node = self._nodes.get(self.selected or "")
        if node is not None and not node.selected:
            self._quiet = True
            node.selected = True
            self._quiet = False

    def _forget(self, code: str) -> None:
        """Drop what was loaded under ``code`` (its nodes are rebuilt on the next load)."""
        for child in self._loaded.pop(code, []):
            if child in self._loaded:
                self._forget(child)
            node = self._nodes.pop(child, None)
            if node is not None:
                self._codes.pop(node._id, None)

    # -- internals ------------------------------------------------------------------------

    def _make(self, row: Any, parent: str | None) -> Node:
        code = row.sor_code
        status = row.status
        node = Node(
            node_label(row),
            [],
            opened=False,
            icon=STATUS_ICONS.get(status, LEVEL_ICONS.get(row.level, "folder")),
            icon_style=STATUS_STYLES.get(status, "default"),
            show_icon=True,
        )
        if self._may_have_children(code):
            node.nodes = (Node(T["loading"], [], disabled=True, show_icon=False),)
        self._nodes[code] = node
        self._codes[node._id] = code
        self._parent[code] = parent
        node.observe(partial(self._on_opened, code), names="opened")
        node.observe(partial(self._on_selected, code), names="selected")
        return node

    def _may_have_children(self, code: str) -> bool:
        snapshot = getattr(self.reg, "snapshot", None)
        if snapshot is None:
            return True
        return bool(snapshot().child_candidates(code))

    def _load(self, code: str) -> None:
        if code in self._loaded:
            return
        node = self._nodes[code]
        kids = self.reg.children(
            code, as_of=self.as_of, include_closed=self.controls["show_closed"].value
        )
        self._loaded[code] = list(kids["sor_code"])
        node.nodes = tuple(self._make(row, code) for row in kids.itertuples())
        self._redraw(code)

    def _redraw(self, code: str) -> None:
        """Work around ipytree#51: re-attach the top-level node above ``code``."""
        top = code
        while self._parent.get(top) is not None:
            top = self._parent[top]  # type: ignore[assignment]
        tree = self.controls["tree"]
        node = self._nodes[top]
        nodes = tuple(tree.nodes)
        if node in nodes:
            tree.nodes = tuple(n for n in nodes if n is not node)
            tree.nodes = nodes

    def _on_opened(self, code: str, change: dict[str, Any]) -> None:
        if change["new"]:
            self._opened.add(code)
            self._load(code)
        else:
            self._opened.discard(code)

    def _on_selected(self, code: str, change: dict[str, Any]) -> None:
        if change["new"] and not self._quiet:
            self._selected(code)

    def _selected(self, code: str) -> None:
        previous = self._nodes.get(self.selected or "")
        if previous is not None and self.selected != code and previous.selected:
            self._quiet = True
            previous.selected = False
            self._quiet = False
        self.selected = code
        for listener in list(self._listeners):
            listener(code)


def level_label(level: str) -> str:
    """The Danish name of a level."""
    return LEVEL_LABELS.get(level, level)
