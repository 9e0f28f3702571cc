"""Pending changes with "Annuller ændring": cancel a change before it takes effect, in the app.

Detaljer and Historik list a unit's changes that have not yet taken effect. Each row has an
"Annuller ændring" button (key ``cancel_<change id>``); it asks first ("Vil du annullere ...?")
and wants a reason (``cancel_reason``), then ``reg.cancel`` cancels the change under the same
permissions as the change itself (a reader sees no buttons; a steward outside the unit's scope
is refused with the register's Danish message). Listeners registered with
:meth:`PendingChanges.on_cancelled` hear about every cancellation, so the tree, the details and
the search show it at once.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from functools import partial
from typing import Any

import ipywidgets as w
import pandas as pd

from sorkit.dates import format_da
from sorkit.errors import ChangeRejected, RegisterBusy
from sorkit.texts import BUSY, WIDGET_TEXTS

T = WIDGET_TEXTS
_GRID = "110px 90px minmax(240px, 1fr) 90px 160px"


class PendingChanges(w.VBox):
    """A unit's pending changes, each with "Annuller ændring" (confirmation and reason).

    ``controls``: ``title``, ``table`` (the grid), ``cancel_<change id>`` (one button per
    change), and while asking: ``question`` (HTML), ``cancel_reason`` (text), ``cancel_ok`` and
    ``cancel_back`` (buttons); ``message`` says what happened. ``frame`` holds the changes.
    """

    def __init__(self, reg: Any, **kwargs: Any):
        """An empty list for ``reg``'s user."""
        super().__init__(**kwargs)
        self.reg = reg
        self.frame = pd.DataFrame()
        self.asking: str | None = None
        self._listeners: list[Callable[[str], None]] = []
        self._row_keys: list[str] = []
        reason = w.Text(
            placeholder=T["cancel_reason"],
            continuous_update=True,
            layout=w.Layout(width="420px"),
        )
        ok = w.Button(description=T["cancel_ok"], button_style="danger", disabled=True)
        back = w.Button(description=T["cancel"])
        reason.observe(lambda _c: self._sync(), names="value")
        ok.on_click(lambda _b: self.confirm())
        back.on_click(lambda _b: self.ask(None))
        self.controls: dict[str, Any] = {
            "title": w.HTML(f"<b>{T['pending']}</b>"),
            "table": w.GridBox(layout=w.Layout(grid_template_columns=_GRID, grid_gap="2px 8px")),
            "question": w.HTML(),
            "cancel_reason": reason,
            "cancel_ok": ok,
            "cancel_back": back,
            "message": w.HTML(),
        }
        self.confirmation = w.VBox(
            [self.controls["question"], reason, w.HBox([ok, back])],
            layout=w.Layout(display="none", border="1px solid #c60", padding="6px"),
        )
        self.children = [
            self.controls["title"],
            self.controls["table"],
            self.confirmation,
            self.controls["message"],
        ]
        self.show(self.frame)

    def on_cancelled(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(change_id)`` after every successful cancellation."""
        self._listeners.append(callback)

    def show(self, frame: pd.DataFrame, keep_message: bool = False) -> None:
        """List ``frame``'s changes (change_id, operation, effective_date, changes, recorded_by)."""
        self.frame = frame.reset_index(drop=True)
        for key in self._row_keys:
            self.controls.pop(key, None)
        self._row_keys = []
        if not keep_message:
            self.controls["message"].value = ""
        self.ask(None)
        if not len(self.frame):
            self.controls["title"].value = f"<b>{T['pending']}</b><br>{T['no_pending']}"
            self.controls["table"].children = []
            return
        self.controls["title"].value = f"<b>{T['pending']}</b>"
        may_cancel = self.reg.role != "reader"
        heads = ["Dato", "Ændring", "Indhold", "Af", ""]
        cells: list[Any] = [w.HTML(f"<b>{h}</b>") for h in heads]
        for row in self.frame.itertuples():
            cells += [
                w.HTML(f"<span style='white-space:nowrap'>{_day(row.effective_date)}</span>"),
                w.HTML(html.escape(str(row.operation))),
                w.HTML(html.escape(str(row.changes))),
                w.HTML(html.escape(str(row.recorded_by))),
            ]
            if may_cancel:
                button = w.Button(description=T["cancel_change"], icon="undo")
                button.on_click(partial(self._clicked, str(row.change_id)))
                self.controls[f"cancel_{row.change_id}"] = button
                self._row_keys.append(f"cancel_{row.change_id}")
                cells.append(button)
            else:
                cells.append(w.HTML(""))
        self.controls["table"].children = cells

    def ask(self, change_id: str | None) -> None:
        """Ask to confirm the cancellation of ``change_id`` (None: stop asking)."""
        self.asking = change_id
        if change_id is None:
            self.confirmation.layout.display = "none"
            self.controls["question"].value = ""
            return
        row = self.frame[self.frame["change_id"] == change_id].iloc[0]
        self.controls["question"].value = html.escape(
            T["cancel_question"].format(
                operation=str(row["operation"]).lower(),
                date=_day(row["effective_date"]),
                changes=row["changes"],
            )
        )
        self.controls["cancel_reason"].value = ""
        self.confirmation.layout.display = "flex"
        self._sync()

    def confirm(self) -> bool:
        """Cancel the change asked about, with the typed reason; True when it was cancelled."""
        change_id = self.asking
        reason = self.controls["cancel_reason"].value.strip()
        if change_id is None or not reason:
            return False
        try:
            self.reg.cancel(change_id, reason=reason)
        except ChangeRejected as exc:
            items = "".join(f"<li>{html.escape(v.message)}</li>" for v in exc.violations)
            self.controls[
                "message"
            ].value = (
                f"<span style='color:#a00'><b>{T['cancel_rejected']}</b><ul>{items}</ul></span>"
            )
            self.ask(None)
            return False
        except RegisterBusy:
            self.controls["message"].value = html.escape(BUSY)
            return False
        row = self.frame[self.frame["change_id"] == change_id].iloc[0]
        self.controls["message"].value = html.escape(
            T["cancel_done"].format(
                operation=str(row["operation"]).lower(), date=_day(row["effective_date"])
            )
        )
        self.ask(None)
        for listener in list(self._listeners):
            listener(change_id)
        return True

    def _clicked(self, change_id: str, _button: Any = None) -> None:
        self.controls["message"].value = ""
        self.ask(change_id)

    def _sync(self) -> None:
        ok = self.controls["cancel_ok"]
        ok.disabled = self.asking is None or not self.controls["cancel_reason"].value.strip()


def _day(value: Any) -> str:
    return format_da(value) if isinstance(value, dt.date) else ""
