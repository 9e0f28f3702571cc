"""The app's header: who works on which register and date, and the one search box.

As in the SOR GUI, the search field sits in the top right corner (guide p.4); the left side says
who is logged in, with which role, on which register and on which date. An unknown user on a
register with users may only read, and a register without users (a private scratch copy)
treats everyone as administrator: the header says either.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as w

from sorkit.dates import format_da
from sorkit.texts import ROLE_LABELS, WIDGET_TEXTS

T = WIDGET_TEXTS

#: Page-wide styles of the app (search-result rows that wrap, a visible busy state).
APP_CSS = """
<style>
.sorkit-app .sorkit-result-row { white-space: normal; text-align: left; line-height: 1.3;
  padding: 2px 4px; height: auto; align-self: start; background: transparent;
  color: #0b5cad; text-decoration: underline; box-shadow: none; }
.sorkit-app .sorkit-result-row:hover { background: #e6eef7; }
.sorkit-app .lm-TabBar-tab { flex: 0 0 auto !important; min-width: 0 !important;
  max-width: none !important; }
.sorkit-app .sorkit-header { background: #eef3f8; border-bottom: 1px solid #c8d3de;
  padding: 4px 8px; }
.sorkit-app .sorkit-busy { color: #235; font-style: italic; }
</style>
"""


def identity_text(reg: Any) -> str:
    """The identity line, e.g. ``Bruger: kommune (SOR-administrator) · Register: demo.duckdb``."""
    role = ROLE_LABELS.get(reg.role, reg.role)
    if not reg.managed:
        who = T["header_unmanaged"].format(user=reg.user)
    elif not reg.known_user:
        who = T["header_unknown"].format(user=reg.user)
    else:
        who = T["header_user"].format(user=reg.user, role=role)
    name = Path(reg.path).name if reg.path else T["header_memory"]
    return T["header"].format(who=who, register=name, date=format_da(reg.today))


class AppHeader(w.HBox):
    """The header line: identity on the left, the one search box on the right.

    ``controls``: ``identity`` (HTML), ``quick_search`` (text; Enter searches), ``quick_go``
    (button) and ``busy`` (shown while something slow runs).
    """

    def __init__(self, reg: Any, **kwargs: Any):
        """The header for ``reg``'s user, register and today."""
        super().__init__(**kwargs)
        self.reg = reg
        self.controls: dict[str, Any] = {
            "identity": w.HTML(html.escape(identity_text(reg))),
            "busy": w.HTML(),
            "quick_search": w.Text(
                placeholder=T["quick_placeholder"],
                continuous_update=False,
                layout=w.Layout(width="340px"),
            ),
            "quick_go": w.Button(description=T["quick_search"], icon="search"),
        }
        c = self.controls
        c["busy"].add_class("sorkit-busy")
        self.add_class("sorkit-header")
        self.layout = w.Layout(justify_content="space-between", align_items="center", width="100%")
        self.children = [
            w.HBox([w.HTML(APP_CSS), c["identity"], c["busy"]], layout=w.Layout(gap="16px")),
            w.HBox([c["quick_search"], c["quick_go"]]),
        ]

    def refresh(self) -> None:
        """Show the identity again (after the register's date or user changed)."""
        self.controls["identity"].value = html.escape(identity_text(self.reg))

    def busy(self, text: str | None) -> None:
        """Show ``text`` as the busy line (None: clear it)."""
        self.controls["busy"].value = html.escape(text) if text else ""
