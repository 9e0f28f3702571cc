"""Reading official street registers into one compact table (:class:`RoadTable`).

Supported formats (:data:`FORMATS`), each checked line by line before anything is used:

- ``cpr370712``: CPR's postcode register (extract 370712, "Postregister"): fixed-width Latin-1
  lines of 84 characters; ``000`` header with the extract date, ``001`` records (municipality,
  road code, municipality name, 20-character addressing name, house number from/to, side
  ``L``/``U``, postcode, postal district), ``999`` trailer with the record count. Plain or zipped.
- ``cpr-a370715``: CPR's road register (extract A370715): record ``001`` (AKTVEJ: road with its
  20-character addressing name and 40-character name) and ``004`` (POSTDIST: house-number range
  per side to postcode); every other record type is skipped. Plain or zipped.
- ``dawa-csv``: a DAR/DAWA CSV extract (``;`` or ``,``, UTF-8, a header line) with
  ``kommunekode``, ``vejkode``, ``vejnavn`` (or ``navn``), optional ``adresseringsvejnavn``,
  ``postnr``, optional ``postnrnavn``, and either ``husnrfra``/``husnrtil``/``side`` (ranges) or
  ``husnr`` (one access address per line; numbers are merged into ranges per side).

House numbers are coded as integers ``number * 32 + letter`` (letter 0 = none, A = 1, ..., Z =
26, Æ 27, Ø 28, Å 29), so a range is two inclusive integer bounds. Municipality codes above 900
(Greenland in the CPR files) are skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

FORMATS = ("cpr370712", "cpr-a370715", "dawa-csv")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZÆØÅ"
LETTER_SLOTS = 32
#: The lowest and highest house-number codes (open bounds).
CODE_MIN = 0
CODE_MAX = 9999 * LETTER_SLOTS + LETTER_SLOTS - 1
#: Sides: 0 = both, 1 = even (``L``, lige), 2 = odd (``U``, ulige).
SIDE_CODES = {"": 0, "L": 1, "U": 2}
SIDE_LETTERS = ("", "L", "U")
MAX_ERRORS = 50
_GREENLAND_FROM = 900
#: CPR's placeholder postcode for unknown addresses ("9999 Ukendt"): not a postcode.
_PLACEHOLDER_POSTCODE = 9999


class RegisterFileError(ValueError):
    """A street-register file that cannot be used: every bad line is named in ``problems``."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        shown = "; ".join(problems[:5]) + (f" (+{len(problems) - 5})" if len(problems) > 5 else "")
        super().__init__(f"{path}: {shown}")


@dataclass
class RoadTable:
    """A street register as columns: roads, house-number ranges and postal districts.

    Attributes:
        kom: Municipality code per road (int16).
        vej: Road code per road (int16).
        names: The road's name per road (the full name where the file has one).
        short_names: The 20-character addressing name per road ("" when the same).
        road: The road (index into the road columns) per range (int32).
        side: 0 both, 1 even, 2 odd per range (uint8).
        lo: Lowest house-number code per range, inclusive (int32).
        hi: Highest house-number code per range, inclusive (int32).
        postcode: Postcode per range (int16).
        districts: ``{4-digit postcode: postal district}``.
        fmt: The format the table was read from.
        date: The date of the extract (header or given), or None.
        source: The file name it was read from.
    """

    kom: np.ndarray
    vej: np.ndarray
    names: list[str]
    short_names: list[str]
    road: np.ndarray
    side: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    postcode: np.ndarray
    districts: dict[str, str]
    fmt: str = ""
    date: dt.date | None = None
    source: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.road)


def letter_code(letter: str) -> int:
    """The code of a house-number letter ("" -> 0, "A" -> 1, ..., "Å" -> 29); -1 if not one."""
    if not letter:
        return 0
    index = LETTERS.find(letter.upper())
    return index + 1 if index >= 0 and len(letter) == 1 else -1


def house_code(number: int, letter: str = "") -> int:
    """The integer code of a house number (``number * 32 + letter``)."""
    return number * LETTER_SLOTS + letter_code(letter)


# -- reading files -----------------------------------------------------------------------------


def read_bytes(path: str | Path) -> bytes:
    """The file's bytes; a zip archive gives its single (largest) member."""
    path = Path(path)
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [i for i in archive.infolist() if not i.is_dir()]
            if not members:
                raise RegisterFileError(str(path), ["zip-filen er tom"])
            biggest = max(members, key=lambda i: i.file_size)
            return archive.read(biggest)
    return path.read_bytes()


def detect_format(data: bytes) -> str:
    """Guess the format from the first record lines ("cpr370712", "cpr-a370715", "dawa-csv")."""
    head = data[:4000].decode("latin-1")
    lines = [line.rstrip("\r") for line in head.split("\n")[:20] if line.strip()]
    if not lines:
        return "dawa-csv"
    first = lines[0].lstrip("\ufeff").lower()
    if ";" in first or "," in first or "kommunekode" in first:
        return "dawa-csv"
    if lines[0].startswith("000") and "370712" in lines[0][:12]:
        return "cpr370712"
    if lines[0].startswith("000") and "370715" in lines[0][:12]:
        return "cpr-a370715"
    records = [line for line in lines if line[:3] == "001"]
    if records and all(len(line) == 84 for line in records):
        return "cpr370712"
    return "cpr-a370715"


def read_register(
    path: str | Path, fmt: str | None = None, date: dt.date | None = None
) -> RoadTable:
    """Read and check a street-register file.

    Args:
        path: The file (a zip archive of it is fine).
        fmt: One of :data:`FORMATS`; None guesses from the content.
        date: The extract's date when the file does not carry one (overrides the header).

    Returns:
        The register as a :class:`RoadTable`.

    Raises:
        RegisterFileError: Naming every bad line (up to 50) when anything is wrong.
    """
    data = read_bytes(path)
    fmt = fmt or detect_format(data)
    if fmt not in FORMATS:
        raise RegisterFileError(
            str(path), [f"ukendt format {fmt!r} (kendte: {', '.join(FORMATS)})"]
        )
    reader = {"cpr370712": _read_370712, "cpr-a370715": _read_a370715, "dawa-csv": _read_dawa}
    table = reader[fmt](data, str(path))
    table.fmt = fmt
    table.source = Path(path).name
    if date is not None:
        table.date = date
    if len(table) == 0:
        raise RegisterFileError(str(path), ["filen indeholder ingen husnummerintervaller"])
    return table


# -- CPR fixed width ---------------------------------------------------------------------------


def _lines(data: bytes) -> list[str]:
    text = data.decode("latin-1")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def _header_date(line: str) -> dt.date | None:
    """The extract date in a header: the last ``ååååmmdd`` in it that is a plausible date."""
    text = line[3:].strip()
    for end in range(len(text), 7, -1):
        chunk = text[end - 8 : end]
        if chunk.isdigit() and 1900 <= int(chunk[:4]) <= 2200:
            try:
                return dt.date(int(chunk[:4]), int(chunk[4:6]), int(chunk[6:]))
            except ValueError:
                continue
    return None


def _house(text: str) -> int | None:
    """A 4-character CPR house number ("012A", " 12 ", "    ") -> code; -1 if malformed."""
    digits, letter = text[:3].strip(), text[3:].strip()
    if not digits and not letter:
        return None
    if not digits.isdigit():
        return -1
    code = letter_code(letter)
    return -1 if code < 0 else int(digits) * LETTER_SLOTS + code


class _Builder:
    """Collects roads and ranges while a file is read; names problems by line."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[str] = []
        self.roads: dict[tuple[int, int], int] = {}
        self.kom: list[int] = []
        self.vej: list[int] = []
        self.names: list[str] = []
        self.short: list[str] = []
        self.road: list[int] = []
        self.side: list[int] = []
        self.lo: list[int] = []
        self.hi: list[int] = []
        self.postcode: list[int] = []
        self.districts: dict[str, str] = {}
        self.date: dt.date | None = None
        self.count: int | None = None

    def bad(self, line_no: int, message: str) -> None:
        if len(self.problems) < MAX_ERRORS:
            self.problems.append(f"linje {line_no}: {message}")
        elif len(self.problems) == MAX_ERRORS:
            self.problems.append("... (flere fejl udeladt)")

    def add_road(self, kom: int, vej: int, name: str, short: str) -> int:
        key = (kom, vej)
        index = self.roads.get(key)
        if index is None:
            index = self.roads[key] = len(self.kom)
            self.kom.append(kom)
            self.vej.append(vej)
            self.names.append(name)
            self.short.append(short if short != name else "")
        elif name and not self.names[index]:
            self.names[index], self.short[index] = name, short if short != name else ""
        return index

    def add_range(self, road: int, side: int, lo: int, hi: int, postcode: int, city: str) -> None:
        if postcode == _PLACEHOLDER_POSTCODE:
            return
        self.road.append(road)
        self.side.append(side)
        self.lo.append(lo)
        self.hi.append(hi)
        self.postcode.append(postcode)
        if city:
            self.districts.setdefault(f"{postcode:04d}", city)

    def table(self) -> RoadTable:
        if self.problems:
            raise RegisterFileError(self.path, self.problems)
        return RoadTable(
            kom=np.array(self.kom, dtype=np.int16),
            vej=np.array(self.vej, dtype=np.int16),
            names=self.names,
            short_names=self.short,
            road=np.array(self.road, dtype=np.int32),
            side=np.array(self.side, dtype=np.uint8),
            lo=np.array(self.lo, dtype=np.int32),
            hi=np.array(self.hi, dtype=np.int32),
            postcode=np.array(self.postcode, dtype=np.int16),
            districts=self.districts,
            date=self.date,
        )


def _codes(line: str, start: int, line_no: int, b: _Builder) -> tuple[int, int] | None:
    kom, vej = line[start : start + 4], line[start + 4 : start + 8]
    if not (kom.isdigit() and vej.isdigit()):
        b.bad(line_no, f"kommunekode/vejkode er ikke tal: {kom!r}/{vej!r}")
        return None
    return int(kom), int(vej)


def _bounds(line: str, start: int, line_no: int, b: _Builder) -> tuple[int, int, int] | None:
    lo, hi = _house(line[start : start + 4]), _house(line[start + 4 : start + 8])
    side = SIDE_CODES.get(line[start + 8].strip().upper(), -1)
    if lo == -1 or hi == -1 or side < 0:
        text = line[start : start + 9]
        b.bad(line_no, f"husnummerinterval/side kan ikke læses: {text!r}")
        return None
    low = CODE_MIN if lo is None else lo
    high = CODE_MAX if hi is None else hi
    if high < low:
        b.bad(line_no, f"husnummer til ligger før fra: {line[start : start + 8]!r}")
        return None
    return side, low, high


def _postcode(text: str, line_no: int, b: _Builder) -> int | None:
    if not text.isdigit():
        b.bad(line_no, f"postnummer er ikke fire cifre: {text!r}")
        return None
    return int(text)


def _head_and_tail(lines: list[str], b: _Builder, record_len: int | None) -> list[int]:
    """Check the ``000`` header and ``999`` trailer; return the numbers of the record lines."""
    body: list[int] = []
    for index, line in enumerate(lines):
        kind = line[:3]
        if kind == "000":
            b.date = _header_date(line)
        elif kind == "999":
            count = line[3:].strip()
            b.count = int(count) if count.isdigit() else None
        elif record_len is not None and kind == "001" and len(line) != record_len:
            b.bad(index + 1, f"linjen har {len(line)} tegn, ikke {record_len}")
        elif not line.strip():
            continue
        else:
            body.append(index)
    return body


def _read_370712_lines(data: bytes, path: str) -> RoadTable:
    """The line-by-line reader of 370712: names every problem (used when the fast one fails)."""
    b = _Builder(path)
    lines = _lines(data)
    body = _head_and_tail(lines, b, 84)
    records = 0
    for index in body:
        line, line_no = lines[index], index + 1
        if line[:3] != "001":
            b.bad(line_no, f"ukendt posttype {line[:3]!r} (ventede 001)")
            continue
        records += 1
        codes = _codes(line, 3, line_no, b)
        bounds = _bounds(line, 51, line_no, b)
        postcode = _postcode(line[60:64], line_no, b)
        name = line[31:51].strip()
        if not name:
            b.bad(line_no, "vejnavnet er tomt")
        if codes is None or bounds is None or postcode is None or not name:
            continue
        if codes[0] >= _GREENLAND_FROM:
            continue
        road = b.add_road(codes[0], codes[1], name, "")
        b.add_range(road, *bounds, postcode, line[64:84].strip())
    if b.count is not None and b.count != records:
        b.bad(len(lines), f"slutposten siger {b.count} poster, filen har {records}")
    return b.table()


_DIGIT = np.zeros(256, dtype=bool)
_DIGIT[ord("0") : ord("9") + 1] = True
_LETTER_OF_BYTE = np.full(256, -1, dtype=np.int32)
_LETTER_OF_BYTE[ord(" ")] = 0
for _i, _c in enumerate(LETTERS):
    _LETTER_OF_BYTE[_c.encode("latin-1")[0]] = _i + 1


def _number(cols: np.ndarray) -> np.ndarray:
    """Digit columns (uint8, spaces as 0) -> integers."""
    out = np.zeros(len(cols), dtype=np.int32)
    for i in range(cols.shape[1]):
        digit = cols[:, i].astype(np.int32) - ord("0")
        out = out * 10 + np.where(digit >= 0, digit, 0)
    return out


def _read_370712(data: bytes, path: str) -> RoadTable:
    """Read 370712 with numpy (fixed-width columns); any doubt falls back to the line reader."""
    head_end = data.find(b"\n") + 1
    tail_start = data.rfind(b"\n999", 0, len(data)) + 1
    header, trailer = data[:head_end], data[tail_start:].strip()
    body = data[head_end:tail_start]
    stride = 86 if body[84:86] == b"\r\n" else 85
    count = trailer[3:]
    if (
        head_end == 0
        or tail_start == 0
        or header[:3] != b"000"
        or not count.isdigit()
        or len(body) != int(count) * stride
    ):
        return _read_370712_lines(data, path)
    whole = np.frombuffer(body, dtype=np.uint8).reshape(-1, stride)
    if not (whole[:, stride - 1] == 10).all() or (stride == 86 and not (whole[:, 84] == 13).all()):
        return _read_370712_lines(data, path)
    arr = whole[:, :84]
    numbers = np.concatenate([arr[:, 51:54], arr[:, 55:58]], axis=1)
    ok = (
        (arr[:, 0:3] == np.frombuffer(b"001", dtype=np.uint8)).all(axis=1)
        & _DIGIT[arr[:, 3:11]].all(axis=1)
        & _DIGIT[arr[:, 60:64]].all(axis=1)
        & (_DIGIT[numbers] | (numbers == 32)).all(axis=1)
        & (_LETTER_OF_BYTE[arr[:, 54]] >= 0)
        & (_LETTER_OF_BYTE[arr[:, 58]] >= 0)
        & np.isin(arr[:, 59], np.frombuffer(b"LU ", dtype=np.uint8))
        & (arr[:, 31:51] != 32).any(axis=1)
    )
    lo = _number(numbers[:, :3]) * LETTER_SLOTS + _LETTER_OF_BYTE[arr[:, 54]]
    hi = _number(numbers[:, 3:]) * LETTER_SLOTS + _LETTER_OF_BYTE[arr[:, 58]]
    blank_lo = (arr[:, 51:55] == 32).all(axis=1)
    blank_hi = (arr[:, 55:59] == 32).all(axis=1)
    lo = np.where(blank_lo, CODE_MIN, lo).astype(np.int32)
    hi = np.where(blank_hi, CODE_MAX, hi).astype(np.int32)
    if not (ok & (hi >= lo)).all():
        return _read_370712_lines(data, path)
    kom, vej, postcode = _number(arr[:, 3:7]), _number(arr[:, 7:11]), _number(arr[:, 60:64])
    keep = (kom < _GREENLAND_FROM) & (postcode != _PLACEHOLDER_POSTCODE)
    arr, kom, vej, postcode, lo, hi = (
        arr[keep],
        kom[keep],
        vej[keep],
        postcode[keep],
        lo[keep],
        hi[keep],
    )
    road_ids, first, road = np.unique(kom * 10000 + vej, return_index=True, return_inverse=True)
    blob = np.ascontiguousarray(arr[first, 31:51]).tobytes().decode("latin-1")
    names = [blob[i : i + 20].strip() for i in range(0, len(blob), 20)]
    pcs, pc_first = np.unique(postcode, return_index=True)
    districts = {
        f"{pc:04d}": arr[i, 64:84].tobytes().decode("latin-1").strip()
        for pc, i in zip(pcs.tolist(), pc_first.tolist(), strict=True)
    }
    side = np.where(arr[:, 59] == ord("L"), 1, np.where(arr[:, 59] == ord("U"), 2, 0))
    return RoadTable(
        kom=(road_ids // 10000).astype(np.int16),
        vej=(road_ids % 10000).astype(np.int16),
        names=names,
        short_names=[""] * len(names),
        road=road.astype(np.int32).ravel(),
        side=side.astype(np.uint8),
        lo=lo,
        hi=hi,
        postcode=postcode.astype(np.int16),
        districts=districts,
        date=_header_date(header.decode("latin-1")),
    )


def _read_a370715(data: bytes, path: str) -> RoadTable:
    b = _Builder(path)
    lines = _lines(data)
    body = _head_and_tail(lines, b, None)
    pending: list[tuple[int, tuple[int, int], tuple[int, int, int], int, str]] = []
    for index in body:
        line, line_no = lines[index], index + 1
        kind = line[:3]
        if kind not in ("001", "004"):
            if not kind.isdigit():
                b.bad(line_no, f"ukendt posttype {kind!r}")
            continue
        need = 71 if kind == "001" else 36
        if len(line) < need:
            b.bad(line_no, f"post {kind} har {len(line)} tegn, ventede mindst {need}")
            continue
        codes = _codes(line, 3, line_no, b)
        if codes is None:
            continue
        if kind == "001":
            short, name = line[51:71].strip(), line[71:111].strip()
            if not (short or name):
                b.bad(line_no, "vejen har intet navn")
            elif codes[0] < _GREENLAND_FROM:
                b.add_road(codes[0], codes[1], name or short, short)
            continue
        bounds = _bounds(line, 11, line_no, b)
        postcode = _postcode(line[32:36], line_no, b)
        if bounds is None or postcode is None:
            continue
        pending.append((line_no, codes, bounds, postcode, line[36:56].strip()))
    for line_no, codes, bounds, postcode, city in pending:
        if codes[0] >= _GREENLAND_FROM:
            continue
        road = b.roads.get(codes)
        if road is None:
            b.bad(line_no, f"postdistrikt for vej {codes[0]:04d}/{codes[1]:04d} uden vejpost 001")
            continue
        b.add_range(road, *bounds, postcode, city)
    return b.table()


# -- DAR/DAWA CSV ------------------------------------------------------------------------------

_DAWA_NAME = ("vejnavn", "navn")
_HOUSE_RE = re.compile(r"^\s*(\d{1,4})\s*([A-Za-zÆØÅæøå]?)\s*$")


def _csv_rows(data: bytes, path: str) -> tuple[list[str], Iterable[tuple[int, list[str]]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RegisterFileError(path, [f"filen er ikke UTF-8 (byte {exc.start})"]) from exc
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    return header, ((reader.line_num, row) for row in reader)


def _dawa_house(text: str) -> int | None:
    match = _HOUSE_RE.match(text)
    if not match:
        return None
    code = letter_code(match.group(2))
    return None if code < 0 else int(match.group(1)) * LETTER_SLOTS + code


def _read_dawa(data: bytes, path: str) -> RoadTable:
    b = _Builder(path)
    header, rows = _csv_rows(data, path)
    name_col = next((c for c in _DAWA_NAME if c in header), "")
    ranged = {"husnrfra", "husnrtil", "side"} <= set(header)
    required = ["kommunekode", "vejkode", "postnr"]
    missing = [c for c in required if c not in header]
    if not name_col:
        missing.append("vejnavn")
    if not ranged and "husnr" not in header:
        missing.append("husnr (eller husnrfra, husnrtil, side)")
    if missing:
        raise RegisterFileError(path, [f"linje 1: kolonner mangler: {', '.join(missing)}"])
    col = {name: header.index(name) for name in header}
    points: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    cities: dict[int, str] = {}

    def cell(row: list[str], name: str) -> str:
        index = col.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    for line_no, row in rows:
        if not any(item.strip() for item in row):
            continue
        if len(row) < len(header):
            b.bad(line_no, f"{len(row)} felter, ventede {len(header)}")
            continue
        kom, vej, pc_text = cell(row, "kommunekode"), cell(row, "vejkode"), cell(row, "postnr")
        name = cell(row, name_col)
        if not (kom.isdigit() and vej.isdigit() and len(kom) <= 4 and len(vej) <= 4):
            b.bad(line_no, f"kommunekode/vejkode er ikke tal: {kom!r}/{vej!r}")
            continue
        if not (pc_text.isdigit() and len(pc_text) == 4):
            b.bad(line_no, f"postnummer er ikke fire cifre: {pc_text!r}")
            continue
        pc = int(pc_text)
        if not name:
            b.bad(line_no, "vejnavnet er tomt")
            continue
        if int(kom) >= _GREENLAND_FROM:
            continue
        road = b.add_road(int(kom), int(vej), name, cell(row, "adresseringsvejnavn"))
        city = cell(row, "postnrnavn")
        if ranged:
            lo_text, hi_text = cell(row, "husnrfra"), cell(row, "husnrtil")
            lo = _dawa_house(lo_text) if lo_text else CODE_MIN
            hi = _dawa_house(hi_text) if hi_text else CODE_MAX
            side = SIDE_CODES.get(cell(row, "side").upper(), -1)
            if lo is None or hi is None or side < 0 or hi < lo:
                shown = f"{lo_text!r}-{hi_text!r} side {cell(row, 'side')!r}"
                b.bad(line_no, f"husnummerinterval kan ikke læses: {shown}")
                continue
            b.add_range(road, side, lo, hi, pc, city)
            continue
        house = _dawa_house(cell(row, "husnr"))
        if house is None:
            b.bad(line_no, f"husnummer kan ikke læses: {cell(row, 'husnr')!r}")
            continue
        points[(road, pc, 1 if (house // LETTER_SLOTS) % 2 == 0 else 2)].append(house)
        if city:
            cities.setdefault(pc, city)
    for (road, postcode, side), found in points.items():
        for lo, hi in _runs(sorted(set(found))):
            b.add_range(road, side, lo, hi, postcode, cities.get(postcode, ""))
    return b.table()


def _runs(codes: list[int]) -> list[tuple[int, int]]:
    """Merge sorted same-side house-number codes into ranges of consecutive numbers (step 2)."""
    out: list[tuple[int, int]] = []
    for code in codes:
        if out and code // LETTER_SLOTS - out[-1][1] // LETTER_SLOTS <= 2:
            out[-1] = (out[-1][0], code)
        else:
            out.append((code, code))
    return out


# -- DAWA's CPR road-register tables (cpr_vej.csv + cpr_postnr.csv) ----------------------------


def _split(text: str) -> list[str | None]:
    """Split a PostgreSQL range/composite body on commas (quoted items may hold commas)."""
    return [item.strip() or None for item in next(csv.reader([text], escapechar="\\"))]


def parse_range(text: str) -> tuple[str | None, str | None, bool, bool] | None:
    """Parse ``[lo,hi]``/``(lo,hi)``/``(,hi]``... into bounds; None for an empty range."""
    text = text.strip()
    if text.lower() == "empty":
        return None
    items = _split(text[1:-1]) if text[:1] in ("[", "(") and text[-1:] in ("]", ")") else []
    if len(items) != 2:
        raise ValueError(f"not a range with two bounds: {text!r}")
    return items[0], items[1], text[0] == "[", text[-1] == "]"


def _composite_code(text: str | None, inclusive: bool, low: bool) -> int:
    """The composite ``(998,"")`` / ``(2,A)`` as an inclusive code (open bound: the extreme)."""
    if text is None:
        return CODE_MIN if low else CODE_MAX
    number, letter = _split(text.strip()[1:-1])
    code = int(number or 0) * LETTER_SLOTS + max(letter_code((letter or "").strip()), 0)
    return code if inclusive else code + (1 if low else -1)


def _ended(virkning: str | None) -> bool:
    bounds = parse_range(virkning) if virkning else None
    return bounds is not None and bounds[1] is not None and not bounds[3]


def _dict_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";", escapechar="\\")
        return [(reader.line_num, row) for row in reader]


def read_dawa_cpr_tables(vej_path: str | Path, postnr_path: str | Path) -> RoadTable:
    """Read DAWA's ``cpr_vej.csv`` and ``cpr_postnr.csv`` (PostgreSQL ranges, ``virkning``).

    Rows whose ``virkning`` ended (a finite, exclusive upper bound) are former names or ranges
    and are skipped.
    """
    b = _Builder(str(postnr_path))
    names: dict[tuple[int, int], tuple[str, str]] = {}
    for _, row in _dict_rows(Path(vej_path)):
        key = (int(row["kommunekode"]), int(row["vejkode"]))
        if key not in names or not _ended(row.get("virkning")):
            names[key] = (row["navn"].strip(), (row.get("adresseringsnavn") or "").strip())
    for line_no, row in _dict_rows(Path(postnr_path)):
        key = (int(row["kommunekode"]), int(row["vejkode"]))
        try:
            bounds = parse_range(row["husnrinterval"])
        except ValueError as exc:
            b.bad(line_no, str(exc))
            continue
        if key not in names or bounds is None or _ended(row.get("virkning")):
            continue
        lo = _composite_code(bounds[0], bounds[2], True)
        hi = _composite_code(bounds[1], bounds[3], False)
        side = SIDE_CODES.get(row["side"].strip().upper(), 0)
        road = b.add_road(*key, *names[key])
        b.add_range(road, side, lo, hi, int(row["nr"]), (row.get("navn") or "").strip())
    table = b.table()
    table.fmt, table.source = "dawa-cpr", Path(postnr_path).name
    return table
