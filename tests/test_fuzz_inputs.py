"""Hostile input on the form-level entry points: change values through reg.plan, and search (#10).

Every input either gives a documented answer (a Plan whose errors carry violation codes, a
:class:`sorkit.SorkitError`, or a search result) or is stored exactly as given; planning and
searching never write (the file's stat and the generation stay the same), and a rejected apply
writes nothing. Hypothesis runs are bounded (``max_examples``, no deadline).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sorkit
from sorkit.errors import SorkitError
from tests.helpers import TODAY

#: Hand-picked hostile strings: SQL and format metacharacters, quotes, control characters, NUL,
#: direction overrides, mojibake, markup, very long strings.
HOSTILE = [
    "'; DROP TABLE unit_versions; --",
    "Robert'); DELETE FROM audit WHERE ('1'='1",
    '" OR 1=1 --',
    "1; UPDATE meta SET value='0'",
    "%",
    "_",
    "*",
    "?",
    "\\",
    "\\x00",
    "\x00",
    "a\x00b",
    "\r\n",
    "Klinik\r\nBcc: x@y.dk",
    "\x1b[2J\x1b[31mrød",
    "\x07\x08\x7f",
    "\u202eevil\u202c",
    "\ufeffBOM",
    "Ã¦Ã¸Ã¥ Lægehus",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀",
    "<script>alert(1)</script>",
    "${jndi:ldap://x/y}",
    "{unit}",
    "{0.__class__.__mro__}",
    "%s%s%n",
    "  ",
    "x" * 61,
    "x" * 10_000,
    "ø" * 1_000_000,
]
#: Strings that cannot be encoded at all (lone surrogates, e.g. from a wrong decoding).
UNENCODABLE = ["\udcff", "ok\udcc3\udca6"]

TEXT_FIELDS = ["name", "phone", "email", "website", "fax", "local_code", "shak", "cvr"]

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def oe(demo: sorkit.Register) -> str:
    snap = demo.snapshot()
    return next(
        c
        for c in sorted(snap.codes())
        if snap.versions(c)[-1].level == "OE"
        and snap.end(c) is None
        and snap.status(c, TODAY) == "active"
    )


def plan_safely(reg: sorkit.Register, make: Any, unencodable: bool = False) -> Any:
    """Plan; return the plan or the documented error. Planning must never write.

    ``make`` builds the change value (its constructor may refuse with TypeError/ValueError);
    planning itself may only raise a :class:`SorkitError` (or, for text that cannot be encoded
    at all, a UnicodeError).
    """
    reg.store.release()  # a checkpoint of an earlier write would change the stat meanwhile
    before = reg.store.stat_key()
    try:
        change = make()
    except (TypeError, ValueError) as exc:
        return exc
    allowed: tuple[type[BaseException], ...] = (SorkitError,)
    if unencodable:
        allowed += (UnicodeError,)
    try:
        result: Any = reg.plan(change)
    except allowed as exc:
        result = exc
    else:
        assert all(v.code and v.message for v in result.violations)
        assert isinstance(result.preview, pd.DataFrame)
    assert reg.store.stat_key() == before, "planning wrote to the register"
    return result


def assert_rejected_writes_nothing(reg: sorkit.Register, plan: Any) -> None:
    gen = reg.store.generation()
    with pytest.raises(sorkit.ChangeRejected) as err:
        reg.apply(plan, accept={w.code: "fuzz" for w in plan.warnings})
    assert err.value.codes
    assert reg.store.generation() == gen


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_hostile_strings_in_every_text_field(demo: sorkit.Register, oe: str, field: str) -> None:
    gen = demo.store.generation()
    for value in HOSTILE:
        outcome = plan_safely(demo, lambda v=value: sorkit.EditUnit(oe, **{field: v}))
        if isinstance(outcome, sorkit.Plan) and not outcome.ok:
            assert outcome.errors[0].code.isupper()
    assert demo.store.generation() == gen


@pytest.mark.slow
def test_hostile_strings_are_refused_or_stored_verbatim(demo: sorkit.Register, oe: str) -> None:
    """Apply every hostile name the rules accept: it comes back exactly, with one audit row."""
    audit0 = demo.store.query("SELECT count(*) FROM audit")[0][0]
    applied = refused = 0
    for value in HOSTILE:
        plan = plan_safely(demo, lambda v=value: sorkit.EditUnit(oe, name=v))
        assert isinstance(plan, sorkit.Plan)
        if not plan.ok:
            assert_rejected_writes_nothing(demo, plan)
            refused += 1
            continue
        done = demo.apply(plan, accept={w.code: "fuzz" for w in plan.warnings})
        applied += 1
        assert demo.unit(oe, as_of=done.effective_date).name == value.strip()
        rows = demo.store.query("SELECT sor_code FROM audit WHERE change_id = ?", [done.change_id])
        assert rows == [(oe,)]
        # Applying again (same date) replaces the value; the tables are still intact.
    assert demo.store.query("SELECT count(*) FROM audit")[0][0] == audit0 + applied
    assert applied and refused
    from sorkit.integrity import check

    assert check(demo).ok


def test_unencodable_strings_give_an_error_and_write_nothing(
    demo: sorkit.Register, oe: str
) -> None:
    gen = demo.store.generation()
    for value in UNENCODABLE:
        for field in ("name", "phone", "local_code"):
            outcome = plan_safely(demo, lambda v=value, f=field: sorkit.EditUnit(oe, **{f: v}))
            assert isinstance(outcome, sorkit.Plan)
            assert "TEXT_INVALID_CHARACTERS" in outcome.codes and not outcome.ok
            assert_rejected_writes_nothing(demo, outcome)
    assert demo.store.generation() == gen


@FUZZ
@given(
    field=st.sampled_from(TEXT_FIELDS),
    value=st.one_of(st.text(max_size=80), st.sampled_from(HOSTILE[:-2])),
)
def test_fuzz_edit_values(demo: sorkit.Register, oe: str, field: str, value: str) -> None:
    plan_safely(demo, lambda: sorkit.EditUnit(oe, **{field: value}))


@FUZZ
@given(
    name=st.text(max_size=80),
    phone=st.one_of(st.none(), st.text(max_size=20)),
    attrs=st.lists(st.text(max_size=40), max_size=5),
    days=st.integers(min_value=-10_000, max_value=10_000),
)
def test_fuzz_create_values(
    demo: sorkit.Register, oe: str, name: str, phone: str | None, attrs: list[str], days: int
) -> None:
    plan_safely(
        demo,
        lambda: sorkit.CreateUnit(
            parent=oe,
            name=name,
            unit_type="550811000005108",
            valid_from=TODAY + dt.timedelta(days=days),
            phone=phone,
            local_attributes=tuple(attrs),
        ),
    )


@FUZZ
@given(code=st.one_of(st.text(max_size=30), st.integers(), st.sampled_from(HOSTILE[:-2])))
def test_fuzz_sor_codes_in_changes(demo: sorkit.Register, oe: str, code: Any) -> None:
    for make in (
        lambda: sorkit.EditUnit(code, phone="12345678"),
        lambda: sorkit.MoveUnit(oe, code),
        lambda: sorkit.CloseUnit(code, TODAY + dt.timedelta(days=8), confirm=True),
    ):
        outcome = plan_safely(demo, make)
        if isinstance(outcome, sorkit.Plan):
            assert not outcome.ok


def test_cancel_with_hostile_change_ids(demo: sorkit.Register) -> None:
    gen = demo.store.generation()
    for value in HOSTILE[:-2] + ["%", "' OR '1'='1"]:
        with pytest.raises(sorkit.ChangeRejected) as err:
            demo.cancel(value, reason=value)
        assert err.value.codes == ["CHANGE_NOT_FOUND"]
    assert demo.store.generation() == gen


# -- search ------------------------------------------------------------------------------------


def search_safely(reg: sorkit.Register, text: Any = None, **criteria: Any) -> Any:
    reg.store.release()  # a checkpoint of an earlier write would change the stat meanwhile
    before = reg.store.stat_key()
    try:
        found = reg.search(text, **criteria)
    except SorkitError as exc:
        found = exc
    else:
        assert isinstance(found, pd.DataFrame)
    assert reg.store.stat_key() == before, "search wrote to the register"
    return found


def test_search_with_hostile_text(demo: sorkit.Register) -> None:
    gen = demo.store.generation()
    for value in HOSTILE + UNENCODABLE:
        found = search_safely(demo, value)
        if isinstance(found, pd.DataFrame):
            assert len(found) <= 200
        for key in ("sor_code", "cvr", "gln", "ydernummer", "shak", "under", "unit_type"):
            outcome = search_safely(demo, None, **{key: value})
            if isinstance(outcome, pd.DataFrame):  # a blank field is a field not filled in
                assert outcome.empty or key == "unit_type" or not value.strip()
        search_safely(demo, "*", level=value)
    assert demo.store.generation() == gen


@FUZZ
@given(
    text=st.one_of(st.none(), st.text(max_size=60), st.sampled_from(HOSTILE[:-1])),
    key=st.sampled_from(["sor_code", "cvr", "gln", "ydernummer", "shak", "under", "level"]),
    value=st.one_of(st.none(), st.text(max_size=30), st.integers()),
    include_closed=st.booleans(),
)
def test_fuzz_search(
    demo: sorkit.Register, text: Any, key: str, value: Any, include_closed: bool
) -> None:
    search_safely(demo, text, **{key: value}, include_closed=include_closed)
