"""Search never fails on hostile text and never matches more (or less) than the wildcards mean."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sorkit
from sorkit.errors import SearchError
from sorkit.search.frames import UNIT_COLUMNS
from tests.helpers import TODAY

DAYS = (TODAY, dt.date(2024, 1, 1), TODAY + dt.timedelta(days=14), dt.date(2030, 6, 1))


def reference_match(text: str, name: str) -> bool:
    """The meaning of the search text, written independently of sorkit (a small NFA).

    ``*`` is any run of characters, ``?`` one character, case is ignored (casefold) and text
    without wildcards means "contains". Surrounding whitespace of the text does not count.
    """
    pattern = text.strip().casefold()
    if "*" not in pattern and "?" not in pattern:
        return pattern in name.casefold()
    while "**" in pattern:
        pattern = pattern.replace("**", "*")
    subject = name.casefold()

    def close(states: set[int]) -> set[int]:
        out = set(states)
        for s in states:
            while s < len(pattern) and pattern[s] == "*":
                s += 1
                out.add(s)
        return out

    states = close({0})
    for ch in subject:
        step = set()
        for s in states:
            if s < len(pattern):
                if pattern[s] == "*":
                    step.add(s)
                elif pattern[s] == "?" or pattern[s] == ch:
                    step.add(s + 1)
        states = close(step)
        if not states:
            return False
    return len(pattern) in states


@pytest.fixture(scope="module")
def world(demo_template: Path) -> dict[str, Any]:
    reg = sorkit.open_register(demo_template, user="admin", today=TODAY)
    snap = reg.snapshot()
    units = {}
    for day in DAYS:
        units[day] = [
            (c, snap.reference_version(c, day).name, snap.status(c, day))  # type: ignore[union-attr]
            for c in snap.codes()
        ]
    chars = sorted({ch for _, name, _ in units[TODAY] for ch in name})
    return {"reg": reg, "units": units, "chars": chars}


SPECIAL = "*?%_'\"\\ \n\t\x00ÆØÅæøåßİ"
NAME_CHARS = "abcdefghijklmnoprstuvyæøå ,-ABDEGHKLOSTÆØÅ"

texts = st.one_of(
    st.text(alphabet=st.sampled_from(NAME_CHARS + "*?"), max_size=12),
    st.text(alphabet=st.sampled_from(NAME_CHARS + SPECIAL), max_size=40),
    st.text(max_size=40),
    st.builds(
        lambda a, b, c: f"{a}*{b}?{c}",
        st.text(alphabet=NAME_CHARS, max_size=4),
        st.text(alphabet=NAME_CHARS, max_size=4),
        st.text(alphabet=NAME_CHARS, max_size=4),
    ),
)
long_texts = st.one_of(
    st.text(min_size=1000, max_size=10_000),
    st.integers(1000, 10_000).map(lambda n: "*a" * (n // 2)),
    st.integers(1000, 10_000).map(lambda n: "*" + "?" * n + "*"),
    st.integers(1000, 5000).map(lambda n: ("%_'\\\"*?" * n)[:n]),
)


def check(world: dict[str, Any], text: str, day: dt.date, include_closed: bool) -> None:
    try:
        found = world["reg"].search(text, as_of=day, include_closed=include_closed, limit=None)
    except SearchError:
        pytest.fail("search text never gives a SearchError: any text is searchable")
    assert list(found.columns) == UNIT_COLUMNS
    got = set(found["sor_code"])
    assert len(got) == len(found)
    allowed = {
        code for code, name, status in world["units"][day] if (include_closed or status != "closed")
    }
    assert got <= allowed
    names = {code: name for code, name, _ in world["units"][day]}
    # Never more than the wildcards allow ...
    assert all(reference_match(text, names[c]) for c in got)
    # ... and, for texts short enough to check every unit, never less either.
    if len(text) <= 60:
        expected = (
            {c for c in allowed if reference_match(text, names[c])} if text.strip() else allowed
        )
        assert got == expected


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, day=st.sampled_from(DAYS), include_closed=st.booleans())
def test_any_text_matches_exactly_what_the_wildcards_mean(
    world: dict[str, Any], text: str, day: dt.date, include_closed: bool
) -> None:
    check(world, text, day, include_closed)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=long_texts)
def test_long_hostile_text_is_just_text(world: dict[str, Any], text: str) -> None:
    check(world, text, TODAY, False)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(
        ["Tandplejen Blovstrød Skole", "Allerød Kommunes Tandpleje", "Sekretariatet, Allerød"]
    ),
    data=st.data(),
)
def test_pieces_of_real_names_find_them(world: dict[str, Any], name: str, data: Any) -> None:
    i = data.draw(st.integers(0, len(name) - 1))
    j = data.draw(st.integers(i + 1, len(name)))
    piece = name[i:j].strip()
    if not piece:
        return
    q = data.draw(st.integers(0, len(piece) - 1))
    for text in (f"*{piece}*", piece.upper(), f"*{piece[:q]}?{piece[q + 1 :]}*"):
        found = world["reg"].search(text, limit=None)
        assert name in set(found["name"]), text
        check(world, text, TODAY, False)


identifier_values = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.text(alphabet="0123456789 -.", max_size=20),
    st.integers(-(10**20), 10**20),
    st.sampled_from(["", " ", "5790 0000 0001 5", "0591 36", "8001", "1610431000016007"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    field=st.sampled_from(["sor_code", "cvr", "gln", "ydernummer", "shak", "under", "unit_type"]),
    value=identifier_values,
    level=st.sampled_from([None, "IE", "SI", "OE", "oe", "X"]),
)
def test_identifier_fields_give_a_table_or_a_search_error(
    world: dict[str, Any], field: str, value: Any, level: str | None
) -> None:
    try:
        found = world["reg"].search(**{field: value}, level=level, limit=None)
    except SearchError as error:
        assert str(error).split(":")[0] in {
            "SOR-kode",
            "CVR-nummer",
            "Lokationsnummer",
            "Ydernummer",
            "SHAK-kode",
            "Enheder under SOR-kode",
            "Enhedstype",
            "Niveau",
        }
        return
    assert list(found.columns) == UNIT_COLUMNS
    if level is not None:
        assert set(found["level"]) <= {level.upper()}
