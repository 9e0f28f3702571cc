"""Which engine a register target names: a DuckDB file (or None, in memory) or a PostgreSQL URL.

Kept apart from :mod:`sorkit.store.pg` so that telling the two apart needs no database driver.
"""

from __future__ import annotations

#: URL schemes of a register on a PostgreSQL server.
PG_SCHEMES = ("postgresql://", "postgres://")


def is_url(target: object) -> bool:
    """True if ``target`` names a PostgreSQL register (``postgresql://`` or ``postgres://``)."""
    return isinstance(target, str) and target.startswith(PG_SCHEMES)


def shown(target: object) -> str:
    """A register target as a person may see it: a URL without user or password."""
    if not is_url(target):
        return str(target)
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(str(target))
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
