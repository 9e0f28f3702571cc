"""Search and hierarchical search (#4): wildcards, identifiers, units under a unit, any date."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import sorkit
import sorkit.search
from sorkit.errors import SearchError
from sorkit.ids import make_sor_code
from sorkit.search.frames import UNIT_COLUMNS
from sorkit.search.index import index_for
from tests.helpers import TODAY

ALLEROED = "1610431000016007"  # IE Allerød Kommune
SUNDHED = "1610441000016000"  # SI Sundhed og Omsorg, Allerød
TANDPLEJE = "1610481000016006"  # OE Allerød Kommunes Tandpleje (own location number)
SEKRETARIATET = "1610451000016002"  # OE Sekretariatet, Allerød
VISITATIONEN = "1610461000016004"  # OE Visitationen, Allerød (moves under Sekretariatet)
BLOVSTROED_SKOLE = "1610531000016008"
ADMINISTRATIV = "550811000005108"  # unit type "administrativ enhed"
TANDPLEJE_TYPE = "550691000005104"
MOVE_DAY = TODAY + dt.timedelta(days=14)


@pytest.fixture(scope="module")
def reg(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> sorkit.Register:
    """A read-only copy of the demo register shared by the read tests of this module."""
    path = tmp_path_factory.mktemp("search") / "demo.duckdb"
    shutil.copy(demo_template, path)
    return sorkit.open_register(path, user="admin", today=TODAY)


def names(frame: pd.DataFrame) -> list[str]:
    return frame["name"].tolist()


def accept_all(plan: Any) -> dict[str, str]:
    return {v.code: "test" for v in plan.violations}


# -- wildcards -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "meaning", "must_find"),
    [
        (
            "*blovstrød*",
            lambda n: "blovstrød" in n,
            {"Blovstrød Skole", "Tandplejen Blovstrød Skole"},
        ),
        ("Blovstrød*", lambda n: n.startswith("blovstrød"), {"Blovstrød Skole"}),
        ("*skole", lambda n: n.endswith("skole"), {"Blovstrød Skole", "Tandplejen Lillerød Skole"}),
        ("?llerød*", lambda n: re.fullmatch(r".llerød.*", n) is not None, {"Allerød Kommune"}),
        ("tandpleje", lambda n: "tandpleje" in n, {"Allerød Kommunes Tandpleje"}),
        (
            "*TANDPLEJEN*skole",
            lambda n: re.fullmatch(r".*tandplejen.*skole", n) is not None,
            {"Tandplejen Blovstrød Skole"},
        ),
        ("ØKONOMI OG*", lambda n: n.startswith("økonomi og"), {"Økonomi og Styring, Allerød"}),
        ("*, allerød", lambda n: n.endswith(", allerød"), {"Sekretariatet, Allerød"}),
        ("allerød kommune", lambda n: "allerød kommune" in n, {"Allerød Kommune"}),
        ("  Blovstrød*  ", lambda n: n.startswith("blovstrød"), {"Blovstrød Skole"}),
    ],
)
def test_wildcard_forms(reg: sorkit.Register, text: str, meaning: Any, must_find: set[str]) -> None:
    found = reg.search(text, limit=None)
    assert must_find <= set(names(found))
    assert all(meaning(n.casefold()) for n in names(found))
    # Nothing the pattern allows is missing: compare with every unit's name today.
    snap = reg.snapshot()
    expected = {
        c
        for c in snap.codes()
        if snap.status(c, TODAY) != "closed"
        and meaning(snap.reference_version(c, TODAY).name.casefold())  # type: ignore[union-attr]
    }
    assert set(found["sor_code"]) == expected


def test_wildcard_forms_exclude_near_misses(reg: sorkit.Register) -> None:
    assert "Tandplejen Engholmskolen" not in names(reg.search("*skole", limit=None))
    assert "Tandplejen Blovstrød Skole" not in names(reg.search("Blovstrød*", limit=None))
    assert "Allerød Kommune" not in names(reg.search("?llerød", limit=None))
    assert names(reg.search("?llerød kommune")) == ["Allerød Kommune"]


def test_case_is_ignored_also_for_danish_letters(reg: sorkit.Register) -> None:
    for a, b in [("*ØJENAFDELINGEN*", "*øjenafdelingen*"), ("ALLERØD*", "allerød*"), ("Å*", "å*")]:
        assert set(reg.search(a, limit=None)["sor_code"]) == set(
            reg.search(b, limit=None)["sor_code"]
        )
    assert len(reg.search("*øjenafdelingen*")) > 0


@pytest.mark.parametrize(
    "text", ["%", "_", "%llerød", "Aller_d", "'", '"', "\\", "O'Brien", "a%b_c\\d"]
)
def test_sql_characters_are_plain_characters(reg: sorkit.Register, text: str) -> None:
    found = reg.search(text, limit=None)
    assert list(found.columns) == UNIT_COLUMNS
    assert all(text.casefold() in n.casefold() for n in names(found))
    assert "Allerød Kommune" not in names(found)


def test_only_stars_and_question_marks(reg: sorkit.Register) -> None:
    everything = reg.search("*", limit=None)
    assert len(everything) == len(reg.search(limit=None)) > 2000
    three = reg.search("???", limit=None)
    assert all(len(n) == 3 for n in names(three))
    assert all(len(n) >= 30 for n in names(reg.search("*" + "?" * 30, limit=None)))


def test_order_exact_then_starts_with_then_rest_each_by_path(reg: sorkit.Register) -> None:
    found = reg.search("Allerød Kommune")
    assert names(found)[:2] == ["Allerød Kommune", "Allerød Kommunes Tandpleje"]
    found = reg.search("*tandpleje*", limit=None)

    def rank(name: str) -> int:
        n = name.casefold()
        return 0 if n == "tandpleje" else 1 if n.startswith("tandpleje") else 2

    ranks = [rank(n) for n in names(found)]
    assert ranks == sorted(ranks) and ranks[0] == 1 and ranks[-1] == 2
    for r in (1, 2):
        paths = [
            tuple(p.casefold() for p in path.split(" / "))
            for path, k in zip(found["path"], ranks, strict=True)
            if k == r
        ]
        assert paths == sorted(paths)


def test_limit_caps_rows(reg: sorkit.Register) -> None:
    assert len(reg.search("*a*")) == 200
    assert len(reg.search("*a*", limit=5)) == 5
    assert names(reg.search("*a*", limit=5)) == names(reg.search("*a*", limit=None))[:5]
    empty = reg.search("*a*", limit=0)
    assert empty.empty and list(empty.columns) == UNIT_COLUMNS


def test_columns_and_values(reg: sorkit.Register) -> None:
    found = reg.search("Blovstrød Skole")
    assert list(found.columns) == UNIT_COLUMNS
    row = found.iloc[0]
    assert row["sor_code"] == BLOVSTROED_SKOLE
    assert (row["level"], row["unit_type"], row["status"]) == ("OE", ADMINISTRATIV, "active")
    assert row["parent_sor_code"] == SUNDHED
    assert row["parent_name"] == "Sundhed og Omsorg, Allerød"
    assert row["path"] == "Allerød Kommune / Sundhed og Omsorg, Allerød / Blovstrød Skole"
    assert row["unit_type_name"]


# -- identifiers ---------------------------------------------------------------------------


def spaced(value: str) -> str:
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4))


def test_sor_code_with_spaces(reg: sorkit.Register) -> None:
    for typed in (ALLEROED, spaced(ALLEROED), "1610-4310-0001-6007", int(ALLEROED)):
        assert names(reg.search(sor_code=typed)) == ["Allerød Kommune"]
    assert reg.search(sor_code=make_sor_code(999_999)).empty  # valid but unknown: no rows


def test_cvr(reg: sorkit.Register) -> None:
    cvr = reg.unit(ALLEROED).cvr
    assert cvr
    assert names(reg.search(cvr=spaced(cvr))) == ["Allerød Kommune"]
    holders = reg.snapshot().holders("cvr", cvr)
    assert set(reg.search(cvr=cvr)["sor_code"]) == holders


def test_gln_finds_the_unit_holding_it_not_those_inheriting_it(reg: sorkit.Register) -> None:
    own = reg.unit(TANDPLEJE).location_number
    assert own is not None and reg.unit(TANDPLEJE).inherited.get("location_number") is None
    assert names(reg.search(gln=spaced(own.gln))) == ["Allerød Kommunes Tandpleje"]
    school = reg.unit(BLOVSTROED_SKOLE)
    assert school.location_number is not None
    assert school.inherited["location_number"] == SUNDHED
    assert list(reg.search(gln=school.location_number.gln)["sor_code"]) == [SUNDHED]


def test_ydernummer_and_shak(reg: sorkit.Register) -> None:
    snap = reg.snapshot()
    ydernummer, holders = next(iter(sorted(snap.index("ydernummer").items())))
    assert ydernummer.startswith("0")  # leading zeros count
    assert set(reg.search(ydernummer=ydernummer)["sor_code"]) == holders
    shared = [(k, v) for k, v in sorted(snap.index("shak").items()) if len(v) > 1]
    shak, holders = shared[0]
    open_holders = {c for c in holders if snap.status(c, TODAY) != "closed"}
    assert set(reg.search(shak=shak.lower())["sor_code"]) == open_holders
    assert set(reg.search(shak=shak, include_closed=True)["sor_code"]) == holders


def test_criteria_combine(reg: sorkit.Register) -> None:
    cvr = reg.unit(ALLEROED).cvr
    assert names(reg.search("allerød*", cvr=cvr)) == ["Allerød Kommune"]
    assert reg.search("*skole*", cvr=cvr).empty
    assert reg.search(sor_code=ALLEROED, level="OE").empty
    assert names(reg.search(sor_code=BLOVSTROED_SKOLE, under=ALLEROED)) == ["Blovstrød Skole"]


# -- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("criteria", "field"),
    [
        ({"sor_code": "abc"}, "SOR-kode"),
        ({"sor_code": "1610431000016008"}, "SOR-kode"),  # wrong check digit
        ({"sor_code": "123"}, "SOR-kode"),
        ({"cvr": "12ab5678"}, "CVR-nummer"),
        ({"cvr": "1234"}, "CVR-nummer"),
        ({"gln": "579000012311"}, "Lokationsnummer"),
        ({"gln": "579x000123117"}, "Lokationsnummer"),
        ({"ydernummer": "12345678901"}, "Ydernummer"),
        ({"ydernummer": "12a"}, "Ydernummer"),
        ({"shak": "a!"}, "SHAK-kode"),
        ({"under": "1610431000016008"}, "Enheder under SOR-kode"),
        ({"under": make_sor_code(999_999)}, "Enheder under SOR-kode"),
        ({"level": "XX"}, "Niveau"),
        ({"level": 1}, "Niveau"),
        ({"unit_type": "abc"}, "Enhedstype"),
        ({"unit_type": "123456"}, "Enhedstype"),
        ({"as_of": "i morgen"}, "Dato"),
        ({"limit": -1}, "Antal"),
        ({"limit": "10"}, "Antal"),
        ({"text": 42}, "Navn/fritekst"),
    ],
)
def test_inputs_that_cannot_be_searched(
    reg: sorkit.Register, criteria: dict[str, Any], field: str
) -> None:
    text = criteria.pop("text", None)
    with pytest.raises(SearchError) as info:
        reg.search(text, **criteria)
    message = str(info.value)
    assert message.startswith(field + ": ")
    value = next(iter(criteria.values()), text)
    assert str(value) in message


def test_unknown_under_code_says_it_does_not_exist(reg: sorkit.Register) -> None:
    with pytest.raises(SearchError, match="findes ikke"):
        reg.search(under=make_sor_code(999_999))


def test_empty_identifier_fields_are_ignored(reg: sorkit.Register) -> None:
    found = reg.search("Blovstrød*", sor_code="", cvr=" ", gln="", shak="", ydernummer="")
    assert names(found) == ["Blovstrød Skole"]


# -- hierarchical search -------------------------------------------------------------------


def test_administrative_units_under_alleroed(reg: sorkit.Register) -> None:
    expected = {
        "Økonomi og Styring, Allerød",
        "Visitationen, Allerød",
        "Sekretariatet, Allerød",
        "Blovstrød Skole",
    }
    for type_ in (ADMINISTRATIV, int(ADMINISTRATIV)):
        found = reg.search(under=spaced(ALLEROED), unit_type=type_)
        assert set(names(found)) == expected
        assert set(found["unit_type"]) == {ADMINISTRATIV}
        assert all(p.startswith("Allerød Kommune / ") for p in found["path"])


def test_under_is_everything_below_not_the_unit_itself(reg: sorkit.Register) -> None:
    found = reg.search(under=ALLEROED, limit=None)
    assert ALLEROED not in set(found["sor_code"])
    subtree = reg.subtree(ALLEROED)  # units in force today, in tree order
    future = found[found["status"] == "future"]
    assert names(future) == ["Plejecenter Mimosen"]  # created, starts in three weeks
    in_force = found[found["status"] != "future"]
    assert set(in_force["sor_code"]) == set(subtree["sor_code"]) - {ALLEROED}
    paths = [tuple(p.casefold().split(" / ")) for p in found["path"]]
    assert paths == sorted(paths)  # tree order
    assert names(reg.search(under=ALLEROED, level="si")) == ["Sundhed og Omsorg, Allerød"]
    tandpleje = reg.search("tandplejen*", under=TANDPLEJE, level="OE", unit_type=TANDPLEJE_TYPE)
    assert "Tandplejen Blovstrød Skole" in names(tandpleje) and len(tandpleje) >= 3


def test_under_a_leaf_is_empty(reg: sorkit.Register) -> None:
    assert reg.search(under=BLOVSTROED_SKOLE).empty


def test_pending_move_is_found_under_the_new_parent_from_its_date(reg: sorkit.Register) -> None:
    def under_secretariat(day: dt.date) -> set[str]:
        return set(reg.search(under=SEKRETARIATET, as_of=day)["sor_code"])

    assert VISITATIONEN not in under_secretariat(TODAY)
    assert VISITATIONEN not in under_secretariat(MOVE_DAY - dt.timedelta(days=1))
    assert VISITATIONEN in under_secretariat(MOVE_DAY)
    assert VISITATIONEN in under_secretariat(MOVE_DAY + dt.timedelta(days=400))
    row = reg.search(sor_code=VISITATIONEN, as_of=MOVE_DAY.isoformat()).iloc[0]
    assert row["parent_sor_code"] == SEKRETARIATET
    assert row["path"].endswith("Sekretariatet, Allerød / Visitationen, Allerød")
    before = reg.search(sor_code=VISITATIONEN).iloc[0]
    assert before["parent_sor_code"] == SUNDHED
    # Still under Allerød Kommune on both dates.
    for day in (TODAY, MOVE_DAY):
        assert VISITATIONEN in set(reg.search(under=ALLEROED, as_of=day)["sor_code"])


def test_only_mine_for_the_municipal_steward(reg: sorkit.Register) -> None:
    kommune = reg.as_user("kommune")
    mine = kommune.search("*sekretariatet*", only_mine=True, limit=None)
    assert names(mine) == ["Sekretariatet, Allerød"]
    assert len(kommune.search("*sekretariatet*", limit=None)) > 1
    everything = kommune.search(only_mine=True, limit=None)
    assert set(everything["sor_code"]) == set(reg.subtree(ALLEROED)["sor_code"]) | {
        reg.search("Plejecenter Mimosen").iloc[0]["sor_code"]
    }
    assert all(p.startswith("Allerød Kommune") for p in everything["path"])
    region = reg.as_user("region")
    assert region.search("Allerød*", only_mine=True).empty
    assert reg.as_user("reader").search("*", only_mine=True).empty
    admin_mine = reg.search("*sekretariatet*", only_mine=True, limit=None)
    assert len(admin_mine) == len(reg.search("*sekretariatet*", limit=None))


# -- dates and statuses --------------------------------------------------------------------


def closed_unit(reg: sorkit.Register) -> str:
    snap = reg.snapshot()
    return next(
        c
        for c in sorted(snap.codes())
        if snap.status(c, TODAY) == "closed" and snap.versions(c)[-1].level == "OE"
    )


def test_closed_units_only_with_include_closed(reg: sorkit.Register) -> None:
    code = closed_unit(reg)
    unit = reg.unit(code)
    assert reg.search(sor_code=code).empty
    assert code not in set(reg.search(unit.name, limit=None)["sor_code"])
    found = reg.search(unit.name, include_closed=True, limit=None)
    row = found[found["sor_code"] == code].iloc[0]
    assert row["status"] == "closed" and row["last_day"] == unit.last_day
    assert unit.last_day is not None
    earlier = reg.search(sor_code=code, as_of=unit.last_day)
    assert list(earlier["status"]) == ["closing"]
    statuses = set(reg.search("*", include_closed=True, limit=None)["status"])
    assert "closed" in statuses
    assert "closed" not in set(reg.search("*", limit=None)["status"])


def test_future_and_closing_units_are_found_by_default(reg: sorkit.Register) -> None:
    snap = reg.snapshot()
    by_status = {}
    for c in snap.codes():
        by_status.setdefault(snap.status(c, TODAY), c)
    for status in ("future", "closing"):
        code = by_status[status]
        assert list(reg.search(sor_code=code)["status"]) == [status]


def test_as_of_before_a_unit_existed_shows_it_as_future(reg: sorkit.Register) -> None:
    row = reg.search(sor_code=ALLEROED, as_of=dt.date(1990, 1, 1)).iloc[0]
    assert row["status"] == "future"


# -- no lag --------------------------------------------------------------------------------


def test_a_created_unit_is_found_by_the_next_search(demo: sorkit.Register) -> None:
    assert demo.search("*søgetest*").empty  # the index exists before the change
    plan = demo.plan(
        sorkit.CreateUnit(
            parent=TANDPLEJE,
            name="Tandplejen Søgetest Skole",
            unit_type=TANDPLEJE_TYPE,
            phone="48100000",
        )
    )
    applied = demo.apply(plan, accept=accept_all(plan))
    code = applied.sor_codes[0]
    found = demo.search("*søgetest*")
    assert list(found["sor_code"]) == [code]
    assert found.iloc[0]["status"] == "future"
    assert code in set(
        demo.search(under=ALLEROED, unit_type=TANDPLEJE_TYPE, limit=None)["sor_code"]
    )
    assert code in set(demo.as_user("kommune").search("*søgetest*", only_mine=True)["sor_code"])
    assert list(demo.search(sor_code=code)["sor_code"]) == [code]


def test_rename_move_and_close_show_at_once_on_their_dates(demo: sorkit.Register) -> None:
    demo.search("*")  # build the index first, so the changes below are patched in
    day = TODAY + dt.timedelta(days=3)
    plan = demo.plan(
        sorkit.EditUnit(BLOVSTROED_SKOLE, effective_from=day, name="Blovstrød Nyskole")
    )
    demo.apply(plan, accept=accept_all(plan))
    assert names(demo.search("Blovstrød*")) == ["Blovstrød Skole"]  # today: the old name
    assert names(demo.search("Blovstrød*", as_of=day)) == ["Blovstrød Nyskole"]
    assert demo.search("*nyskole*").empty
    plan = demo.plan(
        sorkit.MoveUnit(BLOVSTROED_SKOLE, new_parent=SEKRETARIATET, effective_from=day)
    )
    demo.apply(plan, accept=accept_all(plan))
    assert BLOVSTROED_SKOLE in set(demo.search(under=SEKRETARIATET, as_of=day)["sor_code"])
    assert demo.search(under=SEKRETARIATET).empty or BLOVSTROED_SKOLE not in set(
        demo.search(under=SEKRETARIATET)["sor_code"]
    )
    last = day + dt.timedelta(days=10)
    plan = demo.plan(sorkit.CloseUnit(BLOVSTROED_SKOLE, last_day=last, confirm=True))
    demo.apply(plan, accept=accept_all(plan))
    assert list(demo.search(sor_code=BLOVSTROED_SKOLE)["status"]) == ["closing"]
    after = last + dt.timedelta(days=1)
    assert demo.search(sor_code=BLOVSTROED_SKOLE, as_of=after).empty
    assert list(
        demo.search(sor_code=BLOVSTROED_SKOLE, as_of=after, include_closed=True)["status"]
    ) == ["closed"]
    # The patched index answers like one built from scratch.
    patched = [
        demo.search(q, as_of=d, limit=None)
        for q in ("*blovstrød*", "*")
        for d in (TODAY, day, after)
    ]
    demo.refresh()
    fresh = [
        demo.search(q, as_of=d, limit=None)
        for q in ("*blovstrød*", "*")
        for d in (TODAY, day, after)
    ]
    for a, b in zip(patched, fresh, strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_a_change_by_another_process_is_found(demo: sorkit.Register) -> None:
    assert demo.path is not None
    demo.search("*")
    other = sorkit.open_register(demo.path, user="admin", today=TODAY)
    plan = other.plan(
        sorkit.CreateUnit(
            parent=TANDPLEJE,
            name="Tandplejen Fjernskolen",
            unit_type=TANDPLEJE_TYPE,
            phone="48100000",
        )
    )
    code = other.apply(plan, accept=accept_all(plan)).sor_codes[0]
    assert list(demo.search("*fjernskolen")["sor_code"]) == [code]


def test_index_follows_the_snapshot_generation(demo: sorkit.Register) -> None:
    snap = demo.snapshot()
    index = index_for(snap)
    assert index.generation == snap.generation and index_for(snap) is index
    plan = demo.plan(
        sorkit.CreateUnit(
            parent=TANDPLEJE,
            name="Tandplejen Generation",
            unit_type=TANDPLEJE_TYPE,
            phone="48100000",
        )
    )
    demo.apply(plan, accept=accept_all(plan))
    snap = demo.snapshot()
    assert index_for(snap).generation == snap.generation
    assert len(demo.search("Tandplejen Generation")) == 1


def test_ranking_by_scan_agrees_with_ranking_by_name(
    reg: sorkit.Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    queries = ["*tandpleje*", "Allerød Kommune", "allerød*", "*skole", "*a?d*", "plejecenter"]
    by_name = [reg.search(q, limit=None) for q in queries]
    monkeypatch.setattr(sorkit.search.query, "_RANK_BY_NAME", 0)
    by_scan = [reg.search(q, limit=None) for q in queries]
    for a, b in zip(by_name, by_scan, strict=True):
        pd.testing.assert_frame_equal(a, b)
    assert names(by_scan[1])[:2] == ["Allerød Kommune", "Allerød Kommunes Tandpleje"]
