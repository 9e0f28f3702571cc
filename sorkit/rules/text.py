"""Text that cannot be stored in SOR: control characters and broken Unicode in any text field.

SOR's fields are single-line printable text (XML export, CSV, FHIR). A NUL byte, a line break
in a name or a lone surrogate half (text pasted from a broken source) would be stored as given
and break every export downstream, so they are refused where they are typed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping
from typing import Any

from sorkit.changes import CreateUnit, EditUnit, SetLocationNumber
from sorkit.model import Address, LocationNumber
from sorkit.rules import Context, rule
from sorkit.rules.codes import Violation, violation
from sorkit.rules.general import named_fields, unit_code
from sorkit.texts import FIELD_LABELS, LOCATION_NUMBER_LABELS


def bad_character(text: str) -> str | None:
    """The first character of ``text`` that cannot be stored (as ``U+XXXX``), or None."""
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cs"):
            return f"U+{ord(ch):04X}"
    return None


def _texts(name: str, value: Any) -> Iterator[tuple[str, str]]:
    label = FIELD_LABELS.get(name, name)
    if isinstance(value, str):
        yield label, value
    elif isinstance(value, (Address, LocationNumber)):
        yield from _texts(name, value.to_dict())
    elif isinstance(value, Mapping):
        for key, inner in value.items():
            sub = LOCATION_NUMBER_LABELS.get(key, FIELD_LABELS.get(key, key))
            for _label, text in _texts(key, inner):
                yield f"{label}, {sub}", text
    elif isinstance(value, (tuple, list)):
        for inner in value:
            yield from _texts(name, inner)


@rule(
    codes=("TEXT_INVALID_CHARACTERS",),
    applies_to=(CreateUnit, EditUnit, SetLocationNumber),
    stage="pre",
)
def text_characters(ctx: Context) -> Iterator[Violation]:
    """Every text a change sets is printable single-line Unicode."""
    code = unit_code(ctx) or None
    for name, value in named_fields(ctx.change).items():
        for label, text in _texts(name, value):
            found = bad_character(text)
            if found is not None:
                yield violation("TEXT_INVALID_CHARACTERS", code, field=label, character=found)
