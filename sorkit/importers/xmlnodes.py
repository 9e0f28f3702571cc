"""The small tree the SOR XML parser keeps of one unit element, and how to read it.

A node is ``[local name, text parts, children, line]``; the parser
(:mod:`sorkit.importers.xml`) builds one per unit element and the mapping
(:mod:`sorkit.importers.xmlunit`) reads it with these helpers.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Node", "at_node", "child", "children", "descendants", "node_text"]

# A node of a unit element's small tree: [local name, text parts, children, line].
Node = list[Any]


def node_text(node: Node | None) -> str:
    """The node's text, stripped (empty for no node)."""
    return "".join(node[1]).strip() if node is not None else ""


def child(node: Node | None, name: str) -> Node | None:
    """The first child element called ``name``, if any."""
    if node is None:
        return None
    for c in node[2]:
        if c[0] == name:
            return c
    return None


def children(node: Node | None, name: str) -> list[Node]:
    """Every child element called ``name``."""
    return [] if node is None else [c for c in node[2] if c[0] == name]


def descendants(node: Node, name: str) -> list[Node]:
    """Every element called ``name`` below ``node`` (not below a match), in document order."""
    out: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        for c in current[2]:
            if c[0] == name:
                out.append(c)
            else:
                stack.append(c)
    out.sort(key=lambda n: n[3])
    return out


def at_node(where: str, node: Node | None) -> str:
    """``where`` (``linje N (path)``) with the line number of ``node``, for messages."""
    if node is None:
        return where
    head, sep, rest = where.partition(" (")
    return f"linje {node[3]} ({rest}" if sep else where
