"""The change log kept in memory for history: it must say what the database says, always."""

from __future__ import annotations

import json

import pytest

import sorkit
from sorkit import CloseUnit, EditUnit, MoveUnit
from sorkit.history import eventlog
from sorkit.history.eventlog import log_for
from sorkit.store import logrows
from tests.helpers_procs import result, start
from tests.helpers_rules import Units, day

TBS = "Tandplejen Blovstrød Skole"
BS = "Blovstrød Skole"


def stored_rows(reg: sorkit.Register, codes: set[str]) -> dict[str, tuple[list, list]]:
    """Every unit's event and audit rows read from the database now, in history order."""
    with reg.store.connect() as con:
        events, audit = logrows.log_rows_for(con, codes)
    out: dict[str, tuple[list, list]] = {c: ([], []) for c in codes}
    for row in sorted(events, key=lambda r: (r[3], r[6], r[0])):
        out[row[2]][0].append(tuple(row))
    for row in sorted(audit):
        out[row[2]][1].append(tuple(row))
    return out


def assert_log_is_the_database(reg: sorkit.Register) -> eventlog.EventLog:
    snap = reg.snapshot()
    log = log_for(snap, reg.store)
    assert log.generation >= snap.generation
    codes = set(snap.codes())
    stored = stored_rows(reg, codes)
    assert sum(len(e) for e, _ in stored.values()) > len(codes)  # histories, not one row each
    for code in sorted(codes):
        assert log.unit(code) == stored[code], code
    return log


def test_a_fresh_log_is_the_database(demo: sorkit.Register) -> None:
    log = assert_log_is_the_database(demo)
    assert log.units == len(set(demo.snapshot().codes()))
    assert log.unit("0000000000000") == ([], [])


def test_changes_after_the_read_are_kept_beside_it(demo: sorkit.Register) -> None:
    u = Units(demo)
    before = log_for(demo.snapshot(), demo.store)
    edit = demo.apply(demo.plan(EditUnit(u[TBS], day(3), name="Fejl")), reason="prøve")
    demo.apply(demo.plan(MoveUnit(u[TBS], u[BS], day(5))))
    demo.cancel(edit.change_id, reason="tastefejl")
    closed = demo.apply(demo.plan(CloseUnit(u[BS], day(9), cascade=True, confirm=True)))
    log = assert_log_is_the_database(demo)
    assert log is before  # patched, not read again
    assert u[TBS] in log._own and u[BS] in log._own
    events, audit = log.unit(u[TBS])
    [cancelled] = [r for r in events if r[1] == edit.change_id]
    assert cancelled[8] is True and cancelled[9] is not None
    reasons = {r[1]: r[3] for r in audit}
    assert reasons[edit.change_id] == "prøve" and reasons[cancelled[9]] == "tastefejl"
    assert any(r[1] == closed.change_id for r in log.unit(u[BS])[0])


def test_many_changed_units_read_the_whole_log_again(
    demo: sorkit.Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    u = Units(demo)
    before = log_for(demo.snapshot(), demo.store)
    monkeypatch.setattr(eventlog, "REREAD_UNITS", 0)
    monkeypatch.setattr(eventlog, "REREAD_SHARE", 0.0)
    demo.apply(demo.plan(EditUnit(u[TBS], day(3), name="Nyt navn")))
    log = assert_log_is_the_database(demo)
    assert log is before and log._own == {}  # read again in place
    assert "Nyt navn" in demo.history(u[TBS]).changes.iloc[-1]


@pytest.mark.slow
def test_a_change_by_another_process_is_seen(demo: sorkit.Register, tmp_path) -> None:
    u = Units(demo)
    first = demo.history(u[TBS])  # the log is read now
    units = tmp_path / "units.json"
    units.write_text(json.dumps([u[TBS]]))
    demo.store.release()
    done = result(start("edit", demo.path, units, 3))
    [change_id] = [v[0] for v in done["applied"].values()]
    after = demo.history(u[TBS])
    assert len(after) == len(first) + 1
    assert change_id in set(after.change_id) and change_id not in set(first.change_id)
    assert_log_is_the_database(demo)
