"""Hostile and broken files on the file entry points: plan files and SOR XML/CSV imports (#10).

Every file either reads (and then plans like any other input) or is refused with a documented
error (:class:`sorkit.PlanError`, :class:`sorkit.SorImportError`); a refused import writes
nothing (generation and every table's rows unchanged). Entity expansion and external entities
are refused without being expanded or read. Hypothesis mutates valid files byte by byte, with
bounded runs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sorkit
from sorkit.errors import PlanError, SorImportError
from tests.helpers import TODAY

FIXTURES = Path(__file__).parent / "fixtures"
PLANS = Path(__file__).parent / "data" / "plans"

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SECRET = "HEMMELIG-7d1e"

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE SorTree [
 <!ENTITY a "aaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
 <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
]>
<SorTree xmlns="urn:oio:sundhedsstyrelsen:organisation:1.0.0"><x>&h;</x></SorTree>
"""


def hostile_xml(tmp: Path) -> dict[str, bytes]:
    """Hand-picked XML attacks and breakages."""
    secret = tmp / "secret.txt"
    secret.write_text(SECRET)
    minimal = (FIXTURES / "minimal.xml").read_bytes()
    return {
        "billion_laughs": BILLION_LAUGHS.encode(),
        "external_entity": (
            f'<?xml version="1.0"?>\n<!DOCTYPE SorTree [<!ENTITY x SYSTEM "file://{secret}">]>\n'
            '<SorTree xmlns="urn:oio:sundhedsstyrelsen:organisation:1.0.0">&x;</SorTree>'
        ).encode(),
        "parameter_entity": (
            f'<?xml version="1.0"?>\n<!DOCTYPE SorTree [<!ENTITY % p SYSTEM "file://{secret}">'
            "%p;]>\n<SorTree/>"
        ).encode(),
        "external_dtd": (
            b'<?xml version="1.0"?>\n<!DOCTYPE SorTree SYSTEM "http://127.0.0.1:9/evil.dtd">\n'
            b"<SorTree/>"
        ),
        "xinclude": (
            b'<?xml version="1.0"?><SorTree xmlns:xi="http://www.w3.org/2001/XInclude">'
            b'<xi:include href="file:///etc/passwd" parse="text"/></SorTree>'
        ),
        "empty": b"",
        "not_xml": b"\x00\x01\x02 dette er ikke xml \xff\xfe",
        "nul_bytes": minimal.replace(b"<", b"\x00<", 3),
        "truncated": minimal[: len(minimal) // 2],
        "utf16": minimal.decode("utf-8").encode("utf-16"),
        "unknown_encoding": minimal.replace(b'encoding="UTF-8"', b'encoding="TF-8"', 1)
        .replace(b"encoding='UTF-8'", b"encoding='TF-8'", 1)
        .replace(b'encoding="utf-8"', b'encoding="TF-8"', 1),
        "latin1_declared_utf8": minimal.decode("utf-8").replace("a", "æ").encode("latin-1"),
        "wrong_root": b'<?xml version="1.0"?><html><body>hej</body></html>',
        "deep_nesting": b"<SorTree>" + b"<a>" * 50_000 + b"</a>" * 50_000 + b"</SorTree>",
        "huge_text": (
            b'<?xml version="1.0"?><SorTree xmlns="urn:oio:sundhedsstyrelsen:organisation:1.0.0">'
            + b"x" * 5_000_000
            + b"</SorTree>"
        ),
    }


def hostile_csv() -> dict[str, bytes]:
    """Hand-picked CSV breakages and injections."""
    good = (FIXTURES / "sor2_sorentity.csv").read_bytes()
    header, *rows = good.decode("utf-8-sig").splitlines()
    first = rows[0].split(";")
    injected = ";".join([first[0], first[1], first[2], "=cmd|' /C calc'!A0'; DROP TABLE x;--"])
    return {
        "empty": b"",
        "header_only": header.encode(),
        "binary": bytes(range(256)) * 10,
        "nul_bytes": good.replace(b";", b"\x00;", 5),
        "utf16": good.decode("utf-8-sig").encode("utf-16"),
        "latin1": good.decode("utf-8-sig").encode("latin-1", errors="replace"),
        "comma_delimited": good.replace(b";", b","),
        "unbalanced_quotes": good.replace(b'="', b'"', 3),
        "short_row": (header + "\n" + injected + "\n").encode(),
        "long_field": (header + "\n" + rows[0].replace("Region", "R" * 200_000) + "\n").encode(),
        "many_columns": (header + "\n" + rows[0] + ";x" * 10_000 + "\n").encode(),
        "crlf_in_field": (
            header + "\n" + rows[0].replace("Region", '"Re\r\ngion"') + "\n"
        ).encode(),
    }


def register_state(reg: sorkit.Register) -> Any:
    """The generation and the row count of every table."""
    tables = ("unit_versions", "unit_events", "audit", "users", "batches", "meta")
    counts = [reg.store.query(f"SELECT count(*) FROM {t}")[0][0] for t in tables]
    return reg.store.generation(), counts


def import_refused_or_sound(reg: sorkit.Register, path: Path, kind: str) -> Any:
    """Import a file: a documented refusal writes nothing; a success passes the check."""
    from sorkit.integrity import check

    before = register_state(reg)
    try:
        if kind == "xml":
            report = sorkit.import_sor_xml(reg, path)
        else:
            report = sorkit.import_sor_csv(reg, path)
    except SorImportError as exc:
        assert str(exc)
        assert register_state(reg) == before, f"a refused import of {path.name} wrote"
        return exc
    assert check(reg).ok
    return report


@pytest.fixture
def fresh(tmp_path: Path) -> sorkit.Register:
    """An empty register file (a fresh import target)."""
    return sorkit.open_register(tmp_path / "fresh.duckdb", user="admin", today=TODAY)


# -- XML ---------------------------------------------------------------------------------------


def test_hostile_xml_is_refused_and_writes_nothing(
    fresh: sorkit.Register, demo: sorkit.Register, tmp_path: Path
) -> None:
    for name, data in hostile_xml(tmp_path).items():
        path = tmp_path / f"{name}.xml"
        path.write_bytes(data)
        for reg in (fresh, demo):
            outcome = import_refused_or_sound(reg, path, "xml")
            assert isinstance(outcome, SorImportError), (name, outcome)
            assert SECRET not in str(outcome), name
    for reg in (fresh, demo):
        stored = reg.store.query(
            "SELECT count(*) FROM audit WHERE parameters LIKE ?", [f"%{SECRET}%"]
        )
        assert stored[0][0] == 0


def test_xml_fixtures_of_the_import_engineer(fresh: sorkit.Register) -> None:
    for path in sorted(FIXTURES.glob("*.xml")):
        reg = sorkit.open_register(None, user="admin", today=TODAY)
        outcome = import_refused_or_sound(reg, path, "xml")
        if path.name != "minimal.xml":
            assert isinstance(outcome, SorImportError), path.name
            assert len(reg.snapshot()) == 0
        outcome = import_refused_or_sound(fresh, path, "xml")  # the same file, on disk


@pytest.mark.slow
@FUZZ
@given(data=st.data())
def test_fuzz_mutated_xml(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    original = (FIXTURES / "minimal.xml").read_bytes()
    mutated = bytearray(original)
    for _ in range(data.draw(st.integers(1, 8), label="mutations")):
        pos = data.draw(st.integers(0, len(mutated) - 1), label="pos")
        action = data.draw(st.sampled_from(["flip", "delete", "insert", "cut"]), label="action")
        if action == "flip":
            mutated[pos] = data.draw(st.integers(0, 255), label="byte")
        elif action == "delete":
            del mutated[pos]
        elif action == "insert":
            mutated[pos:pos] = data.draw(
                st.sampled_from([b"&", b"<", b"\x00", b"]]>", b"<!ENTITY x 'y'>", b"'\"", b"\xff"])
            )
        else:
            del mutated[pos:]
            break
        if not mutated:
            break
    path = tmp_path_factory.mktemp("xmlfuzz") / "mutated.xml"
    path.write_bytes(bytes(mutated))
    reg = sorkit.open_register(None, user="admin", today=TODAY)
    import_refused_or_sound(reg, path, "xml")


# -- CSV ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_hostile_csv_is_refused_or_sound(fresh: sorkit.Register, tmp_path: Path) -> None:
    for name, data in hostile_csv().items():
        path = tmp_path / f"{name}.csv"
        path.write_bytes(data)
        reg = sorkit.open_register(tmp_path / f"{name}.duckdb", user="admin", today=TODAY)
        outcome = import_refused_or_sound(reg, path, "csv")
        if name in ("empty", "header_only", "binary", "short_row", "many_columns"):
            assert isinstance(outcome, SorImportError), name


@pytest.mark.slow
@FUZZ
@given(data=st.data())
def test_fuzz_mutated_csv(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    text = (FIXTURES / "sor2_sorentity.csv").read_text("utf-8-sig")
    lines = text.splitlines()
    row = data.draw(st.integers(1, len(lines) - 1), label="row")
    cells = lines[row].split(";")
    col = data.draw(st.integers(0, len(cells) - 1), label="column")
    cells[col] = data.draw(
        st.one_of(
            st.text(max_size=40),
            st.sampled_from(["'; DROP TABLE audit;--", '"', "\x00", "=1+1", "9" * 40, ""]),
        ),
        label="value",
    )
    lines[row] = ";".join(cells)
    path = tmp_path_factory.mktemp("csvfuzz") / "mutated.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8", errors="surrogateescape")
    reg = sorkit.open_register(None, user="admin", today=TODAY)
    import_refused_or_sound(reg, path, "csv")


# -- plan files --------------------------------------------------------------------------------


def read_plan_safely(path: Path) -> Any:
    try:
        return sorkit.read_plan(path)
    except PlanError as exc:
        assert exc.problems and str(exc)
        return exc


HEADER = "operation,sor_code,new_parent,date,name,phone,comment\n"


def hostile_plans(tmp: Path) -> dict[str, bytes]:
    yaml_bomb = (
        'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
        "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
        "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
        "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
        "rows: [*g]\n"
    )
    return {
        "empty.csv": b"",
        "binary.csv": bytes(range(256)) * 4,
        "nul.csv": (HEADER + "edit,1600031000016001,,,\x00,12345678,\n").encode(),
        "sql.csv": (HEADER + 'edit,"1\'; DROP TABLE audit;--",,,x,,\n').encode(),
        "utf16.csv": (HEADER + "edit,1600031000016001,,,Navn æøå,,\n").encode("utf-16"),
        "latin1.csv": (HEADER + "edit,1600031000016001,,,Navn æøå,,\n").encode("latin-1"),
        "bad_date.csv": (HEADER + "edit,1600031000016001,,2026-13-45,x,,\n").encode(),
        "unknown_op.csv": (HEADER + "drop,1600031000016001,,,x,,\n").encode(),
        "quotes.csv": (HEADER + 'edit,1600031000016001,,,"unbalanced,,\n').encode(),
        "long.csv": (HEADER + "edit,1600031000016001,,,," + "9" * 1_000_000 + ",\n").encode(),
        "python_tag.yaml": b"- !!python/object/apply:os.system ['echo pwned']\n",
        "bomb.yaml": yaml_bomb.encode(),
        "not_a_list.yaml": b"operation: edit\n",
        "broken.yaml": b"- {operation: edit, sor_code: [\n",
        "fake.xlsx": b"PK\x03\x04 this is not really a zip",
        "random.xlsx": bytes(range(256)),
        "plan.exe": b"MZ",
    }


def test_hostile_plan_files(tmp_path: Path) -> None:
    for name, data in hostile_plans(tmp_path).items():
        path = tmp_path / name
        path.write_bytes(data)
        outcome = read_plan_safely(path)
        # These read as rows (an open quote runs to the end, as in any CSV); planning judges them.
        if name not in ("latin1.csv", "utf16.csv", "nul.csv", "quotes.csv"):
            assert isinstance(outcome, PlanError), name
    assert not (tmp_path / "pwned").exists()


def test_a_read_plan_with_hostile_names_plans_and_applies_verbatim(
    demo: sorkit.Register, tmp_path: Path
) -> None:
    """Plan-file values flow through the batch like form values: refused or stored verbatim."""
    snap = demo.snapshot()
    codes = [
        c
        for c in sorted(snap.codes())
        if snap.versions(c)[-1].level == "OE" and snap.end(c) is None
    ][:3]
    names = ["O'Brien & Co; DROP TABLE audit", 'Klinik "Syd" --', "Lægehus %_*?"]
    body = "".join(
        f'edit,{c},,,"{n.replace(chr(34), 2 * chr(34))}",,\n'
        for c, n in zip(codes, names, strict=True)
    )
    path = tmp_path / "plan.csv"
    path.write_text(HEADER + body, "utf-8")
    batch = sorkit.read_plan(path)
    report = demo.plan_batch(batch)
    assert report.ok, report.errors
    applied = demo.apply_batch(report, accept={w: "fuzz" for w in _warning_codes(report)})
    assert applied is not None
    day = TODAY + dt.timedelta(days=1)
    for code, name in zip(codes, names, strict=True):
        assert demo.unit(code, as_of=day).name == name
    from sorkit.integrity import check

    assert check(demo).ok


def _warning_codes(report: Any) -> set[str]:
    return {v.code for _row, v in report.warnings}


@FUZZ
@given(
    cells=st.lists(
        st.one_of(st.text(max_size=30), st.sampled_from(["edit", "move", "close", "create", ""])),
        min_size=7,
        max_size=7,
    ),
    rows=st.integers(1, 3),
)
def test_fuzz_plan_csv(
    tmp_path_factory: pytest.TempPathFactory, cells: list[str], rows: int
) -> None:
    path = tmp_path_factory.mktemp("planfuzz") / "plan.csv"
    line = ",".join('"' + c.replace('"', '""') + '"' for c in cells)
    path.write_text(HEADER + (line + "\n") * rows, "utf-8", errors="surrogateescape")
    read_plan_safely(path)


@FUZZ
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".yaml", ".xlsx"]))
def test_fuzz_plan_bytes(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("planbytes") / f"plan{suffix}"
    path.write_bytes(data)
    read_plan_safely(path)
