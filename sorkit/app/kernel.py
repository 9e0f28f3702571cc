"""The app inside its kernel: the register it shows, and stable DOM classes on its widgets.

The kernel finds its register in the environment (read by :func:`open_app_register`):

- ``SORKIT_REGISTER``: the register file (default ``data/demo.duckdb``, built on first use);
- ``SORKIT_TODAY``: the register's today as an ISO date (default the real date);
- ``SORKIT_USER``: who works in it (default as :func:`sorkit.open_register`; ``admin`` on a
  demo register).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sorkit.app.setup import DEMO_REGISTER

__all__ = ["add_dom_hooks", "app_today", "open_app_register"]


# -- the register inside the kernel ------------------------------------------------------------


def app_today(env: Mapping[str, str] | None = None) -> dt.date | None:
    """The register's today from ``SORKIT_TODAY`` (ISO date), or None for the real date.

    Raises:
        ValueError: ``SORKIT_TODAY`` is set but is not an ISO date.
    """
    value = (os.environ if env is None else env).get("SORKIT_TODAY", "").strip()
    return dt.date.fromisoformat(value) if value else None


def open_app_register(
    env: Mapping[str, str] | None = None, default: Path | str | None = None
) -> Any:
    """Open the register the app shows, as the environment says (see the module docstring).

    A file named ``demo.duckdb`` is opened with :func:`sorkit.demo_register` (built when empty,
    user ``admin`` unless ``SORKIT_USER`` says otherwise), like the notebooks do.
    """
    import sorkit

    env = os.environ if env is None else env
    path = str(env.get("SORKIT_REGISTER") or default or DEMO_REGISTER)
    today = app_today(env)
    user = env.get("SORKIT_USER") or None
    if path.endswith("demo.duckdb"):
        return sorkit.demo_register(path, today=today, user=user)
    return sorkit.open_register(path, today=today, user=user)


# -- stable DOM hooks ----------------------------------------------------------------------------

#: Parts of a tab besides its ``controls`` that get a DOM class too.
_PARTS = ("findings", "warning_box", "result", "confirmation", "question", "heading")


def add_dom_hooks(app: Any) -> Any:
    """Give the app's widgets stable CSS classes for browser tests and styling; return ``app``.

    ``sorkit-app`` on the app, ``sorkit-tree`` on the tree, ``sorkit-<tab>`` on each tab's
    widget (``details``, ``history``, ``create``, ``edit``, ``move``, ``close``, ``location``,
    ``search``) and ``sorkit-<owner>-<key>`` on every control in a ``controls`` dict
    (``sorkit-app-quick_search``, ``sorkit-tree-tree``, ``sorkit-create-apply``,
    ``sorkit-close-confirm``, ...), plus ``sorkit-<tab>-findings``/``-result``/... on a form's
    messages. Controls a form adds later (``accept_<CODE>``) are tagged when they appear.
    """
    app.add_class("sorkit-app")
    _tag_controls(app, "app")
    tree = getattr(app, "tree", None)
    if tree is not None:
        tree.add_class("sorkit-tree")
        _tag_controls(tree, "tree")
    try:
        from sorkit.widgets.app import TAB_KEYS
    except ImportError:  # pragma: no cover - the widgets package is required by the app
        return app
    import sorkit.widgets.app as app_module

    attributes = getattr(app_module, "TAB_ATTRIBUTES", {})
    for key in TAB_KEYS:
        piece = getattr(app, attributes.get(key, key), None)
        if piece is None or not hasattr(piece, "add_class"):
            continue
        piece.add_class(f"sorkit-{key}")
        _tag_controls(piece, key)
        for part in _PARTS:
            widget: Any = getattr(piece, part, None)
            if widget is not None and hasattr(widget, "add_class"):
                widget.add_class(f"sorkit-{key}-{part}")
        box = getattr(piece, "warning_box", None)
        if box is not None and hasattr(box, "observe"):
            box.observe(
                lambda _change, piece=piece, key=key: _tag_controls(piece, key), names="children"
            )
    return app


def _tag_controls(owner: Any, prefix: str) -> None:
    for key, widget in dict(getattr(owner, "controls", {}) or {}).items():
        name = f"sorkit-{prefix}-{key}"
        if hasattr(widget, "add_class") and name not in widget._dom_classes:
            widget.add_class(name)
