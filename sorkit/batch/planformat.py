"""The plan-file vocabulary: operations, columns, which operation may fill which, problems.

What a plan row may contain, shared by reading (:mod:`sorkit.batch.planread`) and parsing
(:mod:`sorkit.batch.planrow`, :mod:`sorkit.batch.planops`). The format is documented in
``docs/batch.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "ALLOWED_COLUMNS",
    "ALWAYS_ALLOWED",
    "CLEAR",
    "COLUMNS",
    "GLN_COLUMNS",
    "IDENTIFIER_COLUMNS",
    "LIST_COLUMNS",
    "OPERATIONS",
    "OPERATION_DA",
    "PlanProblem",
    "is_blank",
]

#: Operation names, with the Danish words stewards may write instead.
OPERATIONS: dict[str, str] = {
    "create": "create",
    "opret": "create",
    "edit": "edit",
    "rediger": "edit",
    "move": "move",
    "flyt": "move",
    "close": "close",
    "luk": "close",
    "location_number": "location_number",
    "lokationsnummer": "location_number",
}

_ADDRESS = (
    "street",
    "house_number",
    "postcode",
    "floor",
    "door",
    "city",
    "skip_address_validation",
)
_ELECTRONIC = ("phone", "email", "website", "fax", "inherit_electronic")
IDENTIFIER_COLUMNS = ("shak", "cvr", "ydernummer", "p_number", "pharmacy_id")
LIST_COLUMNS = ("local_attributes", "specialities")
GLN_COLUMNS = (
    "gln",
    "region",
    "edb_system",
    "system_supplier",
    "net_operator",
    "administrator",
    "edi_types",
    "only_internal",
    "inactive",
    "gln_note",
)
_UNIT_FIELDS = ("name", "unit_type", *_ELECTRONIC, *IDENTIFIER_COLUMNS, *LIST_COLUMNS, *_ADDRESS)

#: Every column a plan may have ("comment" is free text for people and is ignored).
COLUMNS: tuple[str, ...] = (
    "operation",
    "ref",
    "sor_code",
    "parent",
    "new_parent",
    "date",
    *_UNIT_FIELDS,
    *GLN_COLUMNS,
    "inherit_location_number",
    "cascade",
    "confirm",
    "comment",
)

#: The columns each operation may fill (besides operation, date and comment).
ALLOWED_COLUMNS: dict[str, frozenset[str]] = {
    "create": frozenset({"ref", "parent", *_UNIT_FIELDS, *GLN_COLUMNS, "inherit_location_number"}),
    "edit": frozenset({"sor_code", *_UNIT_FIELDS}),
    "move": frozenset({"sor_code", "new_parent", "name"}),
    "close": frozenset({"sor_code", "name", "cascade", "confirm"}),
    "location_number": frozenset({"sor_code", "name", *GLN_COLUMNS, "inherit_location_number"}),
}
ALWAYS_ALLOWED = frozenset({"operation", "date", "comment"})
OPERATION_DA = {
    "create": "opret",
    "edit": "rediger",
    "move": "flyt",
    "close": "luk",
    "location_number": "lokationsnummer",
}

#: A cell holding just this clears the field (edit) or means "none" (location number).
CLEAR = "-"


@dataclass(frozen=True)
class PlanProblem:
    """One thing wrong with a plan file: where (row, column) and what (Danish)."""

    row: int | None
    column: str | None
    message: str

    code = "BATCH_ROW_INVALID"

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"række {self.row}")
        if self.column:
            where.append(f"kolonne {self.column}")
        return (", ".join(where) + ": " if where else "") + self.message


def is_blank(value: Any) -> bool:
    """True for an empty cell: None or text of only whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())
