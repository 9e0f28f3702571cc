"""One search box: text with the shape of an identifier is looked up as that identifier.

The SOR GUI has one search field where a steward types a name, a SOR code, a CVR number or a
location number (guide p.4). :func:`identifier_shapes` says which identifiers a typed text could
be, most specific first: a valid SOR code (Verhoeff check digit), a 13-digit GLN with a valid
GS1 check digit, an 8-digit CVR with a valid mod-11 check digit. Ydernummer (1-9 digits), SHAK
(4-7 letters and digits) and P-numbers are not guessed: their shapes overlap names and other
numbers, so they have their own search fields.

:func:`search_any` runs :func:`sorkit.search.search` with the first shape that finds a unit, and
falls back to a name search; the result's ``attrs["search_kind"]`` says which it was
(``"sor_code"``, ``"gln"``, ``"cvr"`` or ``"name"``) and ``attrs["total"]`` how many units
matched before the limit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from sorkit.ids import clean_digits, is_valid_cvr, is_valid_gln, is_valid_sor_code

#: The identifier kinds the one search box recognises, in the order they are tried.
KINDS = ("sor_code", "gln", "cvr")


def identifier_shapes(text: Any) -> list[tuple[str, str]]:
    """The identifiers ``text`` has the shape of, as ``(kind, cleaned value)`` pairs.

    Args:
        text: what was typed (spaces, dashes and dots between digit groups are allowed).

    Returns:
        Most specific first; empty when the text is no identifier (then it is a name).
    """
    if not isinstance(text, str) or "*" in text or "?" in text:
        return []
    digits = clean_digits(text)
    if not digits.isdigit():
        return []
    out: list[tuple[str, str]] = []
    if is_valid_sor_code(digits):
        out.append(("sor_code", digits))
    if len(digits) == 13 and is_valid_gln(digits):
        out.append(("gln", digits))
    if len(digits) == 8 and is_valid_cvr(digits):
        out.append(("cvr", digits))
    return out


def search_any(
    run: Callable[..., pd.DataFrame], text: str | None, criteria: dict[str, Any]
) -> pd.DataFrame:
    """Search ``text`` as the identifier it looks like, else as a name.

    Args:
        run: the criteria search (``sorkit.search.search`` bound to a register).
        text: the typed text (None: no text criterion).
        criteria: the other criteria (AND-ed with the identifier or name).

    Returns:
        The result, with ``attrs["search_kind"]`` set.
    """
    shapes = [(k, v) for k, v in identifier_shapes(text) if criteria.get(k) is None]
    for kind, value in shapes:
        found = run(None, **{**criteria, kind: value})
        if len(found):
            found.attrs["search_kind"] = kind
            return found
    found = run(text, **criteria)
    kind = "name" if text else "criteria"
    if shapes and not len(found):
        kind = shapes[0][0]  # nothing anywhere: say what the number was taken for
    found.attrs["search_kind"] = kind
    return found
