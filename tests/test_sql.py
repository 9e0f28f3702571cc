"""reg.sql: read-only SQL over documented views, answered from memory."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import sorkit
from sorkit.analysis.views import VIEWS, register_tables
from sorkit.errors import ReadOnlySQL, SQLError
from sorkit.search.frames import hierarchy
from sorkit.store.analyst import AnalystDB
from tests.builders import write
from tests.helpers import TODAY

DOC = Path(__file__).resolve().parents[1] / "docs" / "analysts.md"


def _text(value: object) -> object:
    return None if value is None or (isinstance(value, float) and value != value) else value


def _date(value: object) -> dt.date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()  # type: ignore[arg-type]


@pytest.mark.parametrize("view", [*VIEWS, "units_on('2020-01-01')"])
def test_every_documented_view_answers(demo: sorkit.Register, view: str) -> None:
    name = view.split("(")[0]
    assert f"`{name}" in DOC.read_text(encoding="utf-8")  # each view is documented
    out = demo.sql(f"SELECT * FROM {view}")
    assert len(out) > 100
    assert "sor_code" in out.columns


@pytest.mark.parametrize(
    "day", [TODAY, dt.date(2010, 6, 1), dt.date(2024, 2, 29), TODAY.replace(year=2027)]
)
def test_units_on_agrees_with_hierarchy(demo: sorkit.Register, day: dt.date) -> None:
    expected = hierarchy(demo.snapshot(), day).set_index("sor_code")
    got = demo.sql("SELECT * FROM units_on(?)", [day]).set_index("sor_code")
    assert sorted(got.index) == sorted(expected.index)
    got = got.loc[expected.index]
    for column in ("name", "level", "unit_type", "unit_type_name", "parent_sor_code",
                   "parent_name", "path", "status"):  # fmt: skip
        assert [_text(v) for v in got[column]] == [_text(v) for v in expected[column]], column
    for column in ("valid_from", "last_day"):
        assert [_date(v) for v in got[column]] == list(expected[column]), column


def test_units_is_today_and_agrees_with_subtree(demo: sorkit.Register) -> None:
    units = demo.sql("SELECT * FROM units")
    same = demo.sql("SELECT * FROM units_on($day)", {"day": TODAY})
    assert sorted(units["sor_code"]) == sorted(same["sor_code"])
    top = demo.roots().iloc[0]["sor_code"]
    below = demo.sql("SELECT sor_code FROM units WHERE root_sor_code = ? ORDER BY sor_code", [top])[
        "sor_code"
    ].tolist()
    assert below == sorted(demo.subtree(top)["sor_code"])


def test_units_resolves_inheritance_as_reg_unit(demo: sorkit.Register) -> None:
    units = demo.sql("SELECT * FROM units").set_index("sor_code")
    inheriting = units[units["location_number_from"].notna()]
    assert len(inheriting) > 10  # the demo has units that inherit a location number
    sample = random.Random(5).sample(sorted(units.index), 150) + list(inheriting.index[:50])
    for code in sample:
        unit = demo.unit(code)
        row = units.loc[code]
        gln = unit.location_number.gln if unit.location_number else None
        assert _text(row["location_number"]) == gln, code
        assert _text(row["location_number_from"]) == unit.inherited.get("location_number")
        assert _text(row["phone"]) == unit.phone, code
        for field in ("postal_address", "visiting_address", "activity_address"):
            mine = getattr(unit, field)
            value = row[field]
            assert (mine.postcode if mine else None) == (value["postcode"] if value else None)


def _fingerprint(reg: sorkit.Register) -> tuple[int, str, int]:
    sorkit.store.release_all()
    assert reg.path is not None
    data = Path(reg.path).read_bytes()
    return (
        reg.store.generation(),
        hashlib.sha256(data).hexdigest(),
        len(reg.sql("SELECT * FROM versions")),
    )


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO versions (sor_code) VALUES ('1')",
        "INSERT INTO t_versions (sor_code) VALUES ('1')",
        "UPDATE t_versions SET name = 'x'",
        "DELETE FROM t_versions",
        "DELETE FROM events",
        "ATTACH '{path}' AS reg",
        "COPY (SELECT * FROM units) TO '{tmp}/out.csv'",
        "COPY t_versions FROM '{tmp}/in.csv'",
        "CREATE TABLE x AS SELECT 1",
        "DROP VIEW units",
        "SET enable_external_access = true",
        "SELECT 1; DELETE FROM t_versions",
        "EXPORT DATABASE '{tmp}/dump'",
        "INSTALL httpfs",
    ],
)
def test_writes_are_refused_and_write_nothing(
    demo: sorkit.Register, tmp_path: Path, statement: str
) -> None:
    before = _fingerprint(demo)
    (tmp_path / "in.csv").write_text("sor_code\n1\n", encoding="utf-8")
    query = statement.format(path=demo.path, tmp=tmp_path)
    with pytest.raises(ReadOnlySQL, match="plan/apply"):
        demo.sql(query)
    assert _fingerprint(demo) == before
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "dump").exists()


def test_files_stay_out_of_reach_of_a_select(demo: sorkit.Register) -> None:
    with pytest.raises(SQLError, match="disabled"):
        demo.sql(f"SELECT * FROM read_csv('{demo.path}')")
    with pytest.raises(SQLError, match="syntax"):
        demo.sql("SELEC 1")


def test_a_write_through_the_register_is_seen(demo: sorkit.Register) -> None:
    code = demo.sql("SELECT sor_code FROM units WHERE level = 'OE' ORDER BY sor_code LIMIT 1")
    unit = code.iloc[0, 0]
    write(demo, unit, TODAY, "edit", name="Omdøbt i dag")
    name = demo.sql("SELECT name FROM units WHERE sor_code = ?", [unit]).iloc[0, 0]
    assert name == "Omdøbt i dag"
    events = demo.sql("SELECT count(*) FROM events WHERE sor_code = ? AND kind = 'edit'", [unit])
    assert events.iloc[0, 0] >= 1


def test_in_memory_register(empty: sorkit.Register) -> None:
    assert empty.sql("SELECT count(*) AS n FROM units").iloc[0, 0] == 0


def _doc_examples() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    blocks = text.split("```python\n")[1:]
    return [b.split("```")[0] for b in blocks if "answer = " in b]


def test_docs_has_five_example_questions_that_answer(demo: sorkit.Register) -> None:
    examples = _doc_examples()
    assert len(examples) == 5
    for source in examples:
        scope: dict[str, object] = {"reg": demo, "dt": dt}
        exec(source, scope)  # noqa: S102 - our own documentation
        answer = scope["answer"]
        assert isinstance(answer, pd.DataFrame) and len(answer) > 0, source


def _query_in_child(db: Any, tables: dict[str, Any], out: Any) -> None:
    assert not db.current(db.generation, db.today)  # another process: not this connection
    db.close()  # leaves the inherited connection alone
    own = AnalystDB(tables, db.generation, db.today)
    out.put(int(own.query("SELECT count(*) AS n FROM units", None)["n"].iloc[0]))


def test_a_forked_process_builds_its_own_connection(demo: sorkit.Register) -> None:
    """The analysts' connection is per process: a forked child never touches the parent's."""
    import multiprocessing

    tables = register_tables(demo, demo.snapshot())
    db = AnalystDB(tables, demo.snapshot().generation, TODAY)
    before = int(db.query("SELECT count(*) AS n FROM units", None)["n"].iloc[0])
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    child = ctx.Process(target=_query_in_child, args=(db, tables, out))
    child.start()
    child.join(120)
    assert child.exitcode == 0
    assert out.get(timeout=5) == before
    assert int(db.query("SELECT count(*) AS n FROM units", None)["n"].iloc[0]) == before
    db.close()
