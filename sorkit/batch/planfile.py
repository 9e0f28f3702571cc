"""Plan files: CSV, XLSX or YAML rows, one operation per row, read into change values.

A plan row names an ``operation`` (create, edit, move, close, location_number; the Danish
opret, rediger, flyt, luk, lokationsnummer also work) and the columns that operation uses.
Every row is checked before anything is planned; :class:`~sorkit.errors.PlanError` lists every
bad row and column at once. The format is documented in ``docs/batch.md``.

Rows are numbered as the steward sees them: in a CSV or XLSX file the spreadsheet row (the
header is row 1, so the first operation is row 2); in a YAML file the item number (from 1).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sorkit import refdata
from sorkit.changes import Change, CloseUnit, CreateUnit, EditUnit, MoveUnit, SetLocationNumber
from sorkit.dates import ONE_DAY
from sorkit.errors import PlanError
from sorkit.ids import clean_digits, is_valid_sor_code
from sorkit.model import Address, LocationNumber

__all__ = [
    "COLUMNS",
    "OPERATIONS",
    "Batch",
    "PlanProblem",
    "parse_rows",
    "read_plan",
    "read_rows",
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
_IDENTIFIERS = ("shak", "cvr", "ydernummer", "p_number", "pharmacy_id")
_LISTS = ("local_attributes", "specialities")
_GLN = (
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
_UNIT_FIELDS = ("name", "unit_type", *_ELECTRONIC, *_IDENTIFIERS, *_LISTS, *_ADDRESS)

#: Every column a plan may have ("comment" is free text for people and is ignored).
COLUMNS: tuple[str, ...] = (
    "operation",
    "ref",
    "sor_code",
    "parent",
    "new_parent",
    "date",
    *_UNIT_FIELDS,
    *_GLN,
    "inherit_location_number",
    "cascade",
    "confirm",
    "comment",
)

#: The columns each operation may fill (besides operation, date and comment).
_ALLOWED: dict[str, frozenset[str]] = {
    "create": frozenset({"ref", "parent", *_UNIT_FIELDS, *_GLN, "inherit_location_number"}),
    "edit": frozenset({"sor_code", *_UNIT_FIELDS}),
    "move": frozenset({"sor_code", "new_parent", "name"}),
    "close": frozenset({"sor_code", "name", "cascade", "confirm"}),
    "location_number": frozenset({"sor_code", "name", *_GLN, "inherit_location_number"}),
}
_ALWAYS = frozenset({"operation", "date", "comment"})
_OPERATION_DA = {
    "create": "opret",
    "edit": "rediger",
    "move": "flyt",
    "close": "luk",
    "location_number": "lokationsnummer",
}
_TRUE = {"ja", "j", "true", "sand", "yes", "y", "1", "x"}
_FALSE = {"nej", "n", "false", "falsk", "no", "0"}
_CLEAR = "-"
_REF_RE = re.compile(r"^[A-Za-z0-9_\-]{1,40}$")
_DATE_FORMATS = ("%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%Y%m%d")


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


class Batch(list):  # type: ignore[type-arg]
    """A plan: a list of change values, with where each came from.

    Attributes:
        rows: the plan-file row number of each change (1, 2, ... for a plain list).
        refs: position -> reference name, for create rows that later rows refer to as ``@name``.
        names: position -> the unit name a move/close/location_number row states (checked
            against the register so a mistyped SOR code is caught).
        source: the plan file, if read from one.
    """

    def __init__(
        self,
        changes: Iterable[Change] = (),
        *,
        rows: Sequence[int] | None = None,
        refs: Mapping[int, str] | None = None,
        names: Mapping[int, str] | None = None,
        source: str | None = None,
    ):
        """Wrap ``changes`` (any iterable of change values) with their row numbers and refs."""
        super().__init__(changes)
        self.rows: list[int] = list(rows) if rows is not None else list(range(1, len(self) + 1))
        if len(self.rows) != len(self):
            raise ValueError("rows must give one row number per change")
        self.refs: dict[int, str] = dict(refs or {})
        self.names: dict[int, str] = dict(names or {})
        self.source = source

    @classmethod
    def of(cls, batch: Any) -> Batch:
        """``batch`` as a :class:`Batch` (a plain list of changes gets rows 1, 2, ...)."""
        if isinstance(batch, Batch):
            return batch
        if isinstance(batch, (str, Path)):
            return read_plan(batch)
        return cls(list(batch))


# -- reading files ---------------------------------------------------------------------------


def read_rows(path: str | Path) -> tuple[list[tuple[int, dict[str, Any]]], list[PlanProblem]]:
    """Read a plan file into (row number, {column: raw value}) pairs.

    Returns:
        The rows (blank rows left out) and file-level problems (unknown columns, no rows).

    Raises:
        PlanError: the file cannot be opened or has an unknown format.
    """
    p = Path(path)
    if not p.exists():
        raise PlanError([PlanProblem(None, None, f"filen {p} findes ikke")], str(p))
    suffix = p.suffix.lower()
    try:
        if suffix in (".csv", ".txt", ".tsv"):
            header, body = _read_csv(p)
        elif suffix in (".xlsx", ".xlsm"):
            header, body = _read_xlsx(p)
        elif suffix in (".yaml", ".yml"):
            return _read_yaml(p)
        else:
            raise PlanError(
                [
                    PlanProblem(
                        None,
                        None,
                        f"ukendt filtype '{p.suffix}': brug .csv, .xlsx eller .yaml",
                    )
                ],
                str(p),
            )
    except PlanError:
        raise
    except Exception as exc:  # noqa: BLE001 - any reader failure is a bad plan file
        raise PlanError([PlanProblem(None, None, f"filen kan ikke læses ({exc})")], str(p)) from exc
    return _tabular(header, body)


def _read_csv(p: Path) -> tuple[list[Any], list[tuple[int, list[Any]]]]:
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")  # Excel's "CSV" on a Danish Windows
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max((";", ",", "\t"), key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = list(reader)
    if not rows:
        return [], []
    return rows[0], [(i, r) for i, r in enumerate(rows[1:], start=2)]


def _read_xlsx(p: Path) -> tuple[list[Any], list[tuple[int, list[Any]]]]:
    import openpyxl

    wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    try:
        sheet = wb["plan"] if "plan" in wb.sheetnames else wb.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        wb.close()
    if not rows:
        return [], []
    return rows[0], [(i, r) for i, r in enumerate(rows[1:], start=2)]


def _read_yaml(p: Path) -> tuple[list[tuple[int, dict[str, Any]]], list[PlanProblem]]:
    import yaml

    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PlanError([PlanProblem(None, None, f"ugyldig YAML ({exc})")], str(p)) from exc
    if isinstance(data, Mapping):
        data = data.get("rows", data.get("plan"))
    if not isinstance(data, list):
        raise PlanError(
            [PlanProblem(None, None, "YAML-planen skal være en liste af rækker (eller 'rows:')")],
            str(p),
        )
    out: list[tuple[int, dict[str, Any]]] = []
    problems: list[PlanProblem] = []
    unknown: set[str] = set()
    for i, item in enumerate(data, start=1):
        if not isinstance(item, Mapping):
            problems.append(PlanProblem(i, None, "rækken skal være en mapping (kolonne: værdi)"))
            continue
        row = {_column(k): v for k, v in item.items()}
        unknown |= {k for k in row if k not in COLUMNS}
        out.append((i, {k: v for k, v in row.items() if k in COLUMNS}))
    problems += [_unknown_column(c) for c in sorted(unknown)]
    return out, problems


def _column(name: Any) -> str:
    return str(name or "").strip().lower().replace(" ", "_").replace("-", "_")


def _unknown_column(name: str) -> PlanProblem:
    return PlanProblem(None, name, "ukendt kolonne (se docs/batch.md for de tilladte kolonner)")


def _tabular(
    header: Sequence[Any], body: Sequence[tuple[int, Sequence[Any]]]
) -> tuple[list[tuple[int, dict[str, Any]]], list[PlanProblem]]:
    names = [_column(h) for h in header]
    problems: list[PlanProblem] = []
    if "operation" not in names:
        problems.append(PlanProblem(1, "operation", "kolonnen mangler i overskriften"))
    seen: set[str] = set()
    for name in names:
        if not name:
            continue
        if name not in COLUMNS:
            problems.append(_unknown_column(name))
        elif name in seen:
            problems.append(PlanProblem(1, name, "kolonnen står der to gange"))
        seen.add(name)
    out = []
    for number, cells in body:
        row = {
            name: cells[i]
            for i, name in enumerate(names)
            if name in COLUMNS and i < len(cells) and not _blank(cells[i])
        }
        extra = [c for c in cells[len(names) :] if not _blank(c)]
        if extra:
            problems.append(PlanProblem(number, None, "værdier uden kolonneoverskrift"))
        if row:
            out.append((number, row))
    return out, problems


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# -- parsing rows ----------------------------------------------------------------------------


class _Row:
    """One raw row with typed accessors that collect problems instead of raising."""

    def __init__(self, number: int, values: Mapping[str, Any], problems: list[PlanProblem]):
        self.number = number
        self.values = values
        self.problems = problems

    def bad(self, column: str | None, message: str) -> None:
        self.problems.append(PlanProblem(self.number, column, message))

    def has(self, column: str) -> bool:
        return not _blank(self.values.get(column))

    def text(self, column: str) -> str | None:
        value = self.values.get(column)
        if _blank(value):
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
        value = self.text(column)
        if value is None:
            self.bad(column, f"mangler (påkrævet ved {_OPERATION_DA[operation]})")
        return value

    def flag(self, column: str) -> bool:
        value = self.values.get(column)
        if _blank(value):
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

    def items(self, column: str) -> tuple[str, ...]:
        value = self.values.get(column)
        if _blank(value):
            return ()
        parts = value if isinstance(value, (list, tuple)) else re.split(r"[|]", str(value))
        return tuple(str(p).strip() for p in parts if str(p).strip())

    def date(self, column: str = "date") -> dt.date | None:
        value = self.values.get(column)
        if _blank(value):
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
        raw = self.required(column, operation)
        return None if raw is None else self.code(column, raw, refs)

    def code(self, column: str, raw: str, refs: Mapping[str, int]) -> str | None:
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


def parse_rows(
    rows: Sequence[tuple[int, Mapping[str, Any]]],
    default_date: dt.date | None = None,
    source: str | None = None,
) -> tuple[Batch, list[PlanProblem]]:
    """Turn raw rows into a :class:`Batch` of change values, collecting every problem.

    Args:
        rows: (row number, {column: value}) pairs, as :func:`read_rows` gives them.
        default_date: the effective date of rows without a date (for a close: the first day
            the unit is closed, so its last day is the day before).
        source: the plan file, for messages.
    """
    problems: list[PlanProblem] = []
    changes: list[Change] = []
    numbers: list[int] = []
    refs: dict[int, str] = {}
    names: dict[int, str] = {}
    known_refs: dict[str, int] = {}
    for number, values in rows:
        row = _Row(number, values, problems)
        before = len(problems)
        op_raw = row.text("operation")
        if op_raw is None:
            row.bad("operation", "mangler (create, edit, move, close eller location_number)")
            continue
        operation = OPERATIONS.get(op_raw.strip().lower())
        if operation is None:
            row.bad(
                "operation",
                f"'{op_raw}' er ikke en kendt operation (create, edit, move, close, "
                "location_number)",
            )
            continue
        for column in values:
            if column not in _ALWAYS and column not in _ALLOWED[operation]:
                row.bad(column, f"bruges ikke ved {_OPERATION_DA[operation]}")
        day = row.date("date")
        if day is None and not row.has("date") and default_date is not None:
            day = default_date - ONE_DAY if operation == "close" else default_date
        change = _PARSERS[operation](row, day, known_refs)
        ref = row.text("ref")
        if ref is not None:
            if not _REF_RE.match(ref.lstrip("@")):
                row.bad("ref", f"'{ref}' skal være bogstaver, cifre, - eller _ (fx NY1)")
            elif ref.lstrip("@") in known_refs:
                row.bad("ref", f"'{ref}' er allerede brugt i række {known_refs[ref.lstrip('@')]}")
            else:
                known_refs[ref.lstrip("@")] = number
        if change is None or len(problems) > before:
            continue
        if ref is not None:
            refs[len(changes)] = ref.lstrip("@")
        if operation != "create" and operation != "edit" and row.has("name"):
            names[len(changes)] = str(row.text("name"))
        changes.append(change)
        numbers.append(number)
    return Batch(changes, rows=numbers, refs=refs, names=names, source=source), problems


def read_plan(path: str | Path, default_date: dt.date | str | None = None) -> Batch:
    """Read a plan file (CSV, XLSX or YAML) into a list of change values.

    Args:
        path: the plan file.
        default_date: the effective date of rows with an empty ``date`` (for a close row it
            is the first closed day, so the unit's last day is the day before). Without it,
            rows take the defaults of rules.md §3 (a close row must then have a date).

    Returns:
        A :class:`Batch` (a list of change values that remembers row numbers and refs).

    Raises:
        PlanError: listing every bad row and column; nothing is returned then.
    """
    source = str(path)
    if isinstance(default_date, str):
        default_date = dt.date.fromisoformat(default_date) if default_date.strip() else None
    raw, problems = read_rows(path)
    batch, row_problems = parse_rows(raw, default_date, source)
    problems += row_problems
    if not raw and not problems:
        problems.append(PlanProblem(None, None, "planen indeholder ingen rækker"))
    if problems:
        problems.sort(
            key=lambda p: (p.row or 0, COLUMNS.index(p.column) if p.column in COLUMNS else 0)
        )
        raise PlanError(problems, source)
    return batch


# -- one parser per operation ----------------------------------------------------------------


def _create(row: _Row, day: dt.date | None, refs: Mapping[str, int]) -> Change | None:
    parent = row.unit("parent", refs, "create")
    name = row.required("name", "create")
    unit_type = _unit_type(row, required=True)
    fields = _unit_fields(row, editing=False)
    location, inherit = _location_number(row, "create")
    if row.flag("inherit_electronic") and any(row.has(c) for c in ("phone", "email", "website")):
        row.bad("inherit_electronic", "kan ikke kombineres med egne phone/email/website")
    if parent is None or name is None or unit_type is None or fields is None:
        return None
    return CreateUnit(
        parent=parent,
        name=name,
        unit_type=unit_type,
        valid_from=day,
        location_number=location,
        inherit_location_number=inherit,
        **fields,
    )


def _edit(row: _Row, day: dt.date | None, refs: Mapping[str, int]) -> Change | None:
    code = row.unit("sor_code", refs, "edit")
    fields = _unit_fields(row, editing=True)
    if row.has("unit_type"):
        unit_type = _unit_type(row, required=False)
        if fields is not None:
            if unit_type is None:
                fields = None
            else:
                fields["unit_type"] = unit_type
    if fields is not None and not fields:
        row.bad(None, "ingen felter at ændre (udfyld fx name eller phone)")
        return None
    if code is None or fields is None:
        return None
    return EditUnit(code, effective_from=day, **fields)


def _move(row: _Row, day: dt.date | None, refs: Mapping[str, int]) -> Change | None:
    code = row.unit("sor_code", refs, "move")
    target = row.unit("new_parent", refs, "move")
    if code is None or target is None:
        return None
    return MoveUnit(code, target, effective_from=day)


def _close(row: _Row, day: dt.date | None, refs: Mapping[str, int]) -> Change | None:
    code = row.unit("sor_code", refs, "close")
    if day is None and not row.has("date"):
        row.bad("date", "mangler: en lukning skal have en dato (sidste gyldige dag)")
    confirm = row.flag("confirm")
    cascade = row.flag("cascade")
    if code is None or day is None:
        return None
    return CloseUnit(code, day, confirm=confirm, cascade=cascade)


def _set_location_number(row: _Row, day: dt.date | None, refs: Mapping[str, int]) -> Change | None:
    code = row.unit("sor_code", refs, "location_number")
    removing = row.text("gln") == _CLEAR
    location, inherit = _location_number(row, "location_number")
    if location is None and not inherit and not removing:
        row.bad(
            "gln",
            "mangler: angiv et lokationsnummer, inherit_location_number=ja eller '-' for intet",
        )
        return None
    if code is None:
        return None
    return SetLocationNumber(code, location_number=location, inherit=inherit, effective_from=day)


_PARSERS = {
    "create": _create,
    "edit": _edit,
    "move": _move,
    "close": _close,
    "location_number": _set_location_number,
}


def _unit_type(row: _Row, *, required: bool) -> str | None:
    raw = row.required("unit_type", "create") if required else row.text("unit_type")
    if raw is None:
        return None
    if raw.isdigit():
        return raw
    by_name = {name.casefold(): code for code, name in refdata.unit_type_names().items()}
    code = by_name.get(raw.casefold())
    if code is None:
        row.bad("unit_type", f"'{raw}' er hverken en enhedstype-kode eller et kendt typenavn")
    return code


def _unit_fields(row: _Row, *, editing: bool) -> dict[str, Any] | None:
    """The unit fields a create or edit row fills (None when a value is bad)."""
    before = len(row.problems)
    out: dict[str, Any] = {}
    if editing and row.has("name"):
        name = row.text("name")
        if name == _CLEAR:
            row.bad("name", "navnet kan ikke fjernes")
        else:
            out["name"] = name
    for column in ("phone", "email", "website", "fax", *_IDENTIFIERS):
        value = row.text(column)
        if value is None:
            continue
        if value == _CLEAR and not editing:
            continue
        out[column] = None if value == _CLEAR else value
    if row.has("inherit_electronic"):
        out["inherit_electronic"] = row.flag("inherit_electronic")
    for column in _LISTS:
        if row.has(column):
            out[column] = () if row.text(column) == _CLEAR else row.items(column)
    address = _address(row)
    if address is not None or (editing and row.text("street") == _CLEAR):
        out["postal_address"] = address
    return out if len(row.problems) == before else None


def _address(row: _Row) -> Address | None:
    if row.text("street") == _CLEAR:
        return None
    parts = ("street", "house_number", "postcode")
    given = [c for c in parts if row.has(c)]
    others = [c for c in ("floor", "door", "city", "skip_address_validation") if row.has(c)]
    if not given and not others:
        return None
    missing = [c for c in parts if c not in given]
    if missing:
        for column in missing:
            row.bad(column, "mangler: en postadresse skal have street, house_number og postcode")
        return None
    postcode = str(row.text("postcode"))
    if postcode.isdigit():
        postcode = postcode.zfill(4)
    return Address(
        street=str(row.text("street")),
        house_number=str(row.text("house_number")),
        postcode=postcode,
        floor=row.text("floor"),
        door=row.text("door"),
        city=row.text("city"),
        skip_validation=row.flag("skip_address_validation"),
    )


def _location_number(row: _Row, operation: str) -> tuple[LocationNumber | None, bool]:
    inherit = row.flag("inherit_location_number")
    gln = row.text("gln")
    attributes = [c for c in _GLN if c != "gln" and row.has(c)]
    if gln is None or gln == _CLEAR:
        for column in attributes:
            row.bad(column, "bruges kun sammen med et lokationsnummer (kolonne gln)")
        return None, inherit
    if inherit:
        row.bad("inherit_location_number", "kan ikke kombineres med et eget lokationsnummer")
    return (
        LocationNumber(
            gln=clean_digits(row.values.get("gln")),
            region=row.text("region"),
            edb_system=row.text("edb_system"),
            system_supplier=row.text("system_supplier"),
            net_operator=row.text("net_operator"),
            administrator=row.text("administrator"),
            only_internal=row.flag("only_internal"),
            inactive=row.flag("inactive"),
            edi_types=tuple(t for item in row.items("edi_types") for t in item.split(",") if t),
            note=row.text("gln_note"),
        ),
        False,
    )
