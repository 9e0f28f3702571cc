"""One raw plan row with typed accessors (text, flag, date, SOR code) that collect problems.

A bad value is recorded as a :class:`~sorkit.batch.planformat.PlanProblem` for its row and
column instead of raising, so every problem of a plan is reported at once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from sorkit.batch.planformat import OPERATION_DA, PlanProblem, is_blank
from sorkit.ids import clean_digits, is_valid_sor_code
from sorkit.model import local_attribute_slots

__all__ = ["PlanRow"]

_TRUE = {"ja", "j", "true", "sand", "yes", "y", "1", "x"}
_FALSE = {"nej", "n", "false", "falsk", "no", "0"}
_DATE_FORMATS = ("%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%Y%m%d")


class PlanRow:
    """One raw row with typed accessors that collect problems instead of raising."""

    def __init__(self, number: int, values: Mapping[str, Any], problems: list[PlanProblem]):
        self.number = number
        self.values = values
        self.problems = problems

    def bad(self, column: str | None, message: str) -> None:
        """Record a problem with ``column`` (None: the row as a whole)."""
        self.problems.append(PlanProblem(self.number, column, message))

    def has(self, column: str) -> bool:
        """True when ``column`` has a non-blank value."""
        return not is_blank(self.values.get(column))

    def text(self, column: str) -> str | None:
        """The value as stripped text (None when blank; booleans as ja/nej, lists joined by |)."""
        value = self.values.get(column)
        if is_blank(value):
            return None
        if isinstance(value, bool):
            return "ja" if value else "nej"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, (list, tuple)):
            return "|".join(str(v) for v in value)
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        return str(value).strip()

    def required(self, column: str, operation: str) -> str | None:
        """The text of a column ``operation`` requires; a problem when it is blank."""
        value = self.text(column)
        if value is None:
            self.bad(column, f"mangler (påkrævet ved {OPERATION_DA[operation]})")
        return value

    def flag(self, column: str) -> bool:
        """The value as a yes/no (blank is no); a problem when it is neither."""
        value = self.values.get(column)
        if is_blank(value):
            return False
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if isinstance(value, (int, float)):
            text = str(int(value))
        if text in _TRUE:
            return True
        if text not in _FALSE:
            self.bad(column, f"'{value}' er hverken ja eller nej")
        return False

    def items(self, column: str, *, keep_gaps: bool = False) -> tuple[str, ...]:
        """The value as a list (a YAML list, or text separated by |).

        With ``keep_gaps`` an empty item keeps its place as ``""`` (local attribute slots:
        ``|b`` is attribute 2 alone); otherwise empty items are dropped.
        """
        value = self.values.get(column)
        if is_blank(value):
            return ()
        parts = value if isinstance(value, (list, tuple)) else re.split(r"[|]", str(value))
        if keep_gaps:
            return local_attribute_slots("" if p is None else str(p).strip() for p in parts)
        return tuple(str(p).strip() for p in parts if str(p).strip())

    def date(self, column: str = "date") -> dt.date | None:
        """The value as a date (ISO or Danish dd-mm-yyyy); a problem when it is not one."""
        value = self.values.get(column)
        if is_blank(value):
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        try:
            return dt.date.fromisoformat(text[:10]) if text[4:5] == "-" else _danish_date(text)
        except ValueError:
            self.bad(column, f"'{text}' er ikke en gyldig dato (skriv ÅÅÅÅ-MM-DD)")
            return None

    def unit(self, column: str, refs: Mapping[str, int], operation: str) -> str | None:
        """The required unit of ``column``: a SOR code or an ``@ref`` to an earlier create row."""
        raw = self.required(column, operation)
        return None if raw is None else self.code(column, raw, refs)

    def code(self, column: str, raw: str, refs: Mapping[str, int]) -> str | None:
        """``raw`` as a SOR code or a known ``@ref`` (None, with a problem, otherwise)."""
        if raw.startswith("@"):
            name = raw[1:].strip()
            if name not in refs:
                self.bad(
                    column,
                    f"'{raw}' henviser ikke til en 'ref' fra en tidligere opret-række i planen",
                )
                return None
            return "@" + name
        code = clean_digits(self.values.get(column))
        if not is_valid_sor_code(code):
            hint = ""
            value = self.values.get(column)
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            if (numeric and len(code) > 15) or re.search(r"[eE]\+", raw):
                hint = " (Excel kan have afrundet det lange tal: formatér kolonnen som tekst)"
            self.bad(column, f"'{raw}' er ikke en gyldig SOR-kode{hint}")
            return None
        return code


def _danish_date(text: str) -> dt.date:
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)
