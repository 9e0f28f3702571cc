"""The demo register is deterministic, national-looking and sound."""

from __future__ import annotations

import datetime as dt

import pytest

import sorkit
from sorkit import ids, invariants
from tests.helpers import TODAY


def _export(reg: sorkit.Register) -> list[tuple[object, ...]]:
    """A sorted export of every current version's content (ids and stamps left out)."""
    return sorted(
        (v.sor_code, v.valid_from, v.valid_to, repr(v.state()), v.set_fields)
        for v in reg.snapshot().all_versions()
    )


@pytest.mark.slow
def test_built_twice_gives_identical_content() -> None:
    a = sorkit.demo_register(None, today=TODAY)
    b = sorkit.demo_register(None, today=TODAY)
    assert _export(a) == _export(b)
    assert (
        a.pending()
        .drop(columns=["change_id", "recorded_at"])
        .equals(b.pending().drop(columns=["change_id", "recorded_at"]))
    )


def test_another_today_shifts_history_and_pending() -> None:
    later = sorkit.demo_register(None, today=TODAY + dt.timedelta(days=365))
    assert (later.pending().effective_date > later.today).all()


def test_demo_is_sound_and_national(demo_template: object) -> None:
    reg = sorkit.open_register(demo_template, user="admin", today=TODAY)  # type: ignore[arg-type]
    snap = reg.snapshot()
    assert invariants.problems(snap) == []
    codes = list(snap.codes())
    assert 2000 < len(codes) < 10000
    assert all(ids.is_valid_sor_code(c) for c in codes)
    levels = {snap.versions(c)[0].level for c in codes}
    assert levels == {"IE", "SI", "OE"}
    roots = reg.roots()
    municipalities = [n for n in roots.name if n.endswith("Kommune") or n.endswith("kommune")]
    assert len(municipalities) == 98
    statuses = {snap.status(c, TODAY) for c in codes}
    assert statuses == {"active", "future", "closing", "closed"}
    glns = [v.location_number["gln"] for v in snap.all_versions() if v.location_number]
    assert glns and all(ids.is_valid_gln(g) for g in glns)
    cvrs = [v.cvr for v in snap.all_versions() if v.cvr]
    assert all(ids.is_valid_cvr(c) for c in cvrs)
    history = reg.store.query("SELECT count(*) FROM unit_events WHERE kind = 'edit'")[0][0]
    assert history > 1000


def test_demo_addresses_are_on_real_streets(demo_template: object) -> None:
    from sorkit.addresses import AddressRegister

    reg = sorkit.open_register(demo_template, user="admin", today=TODAY)  # type: ignore[arg-type]
    register = AddressRegister.default()
    checked = 0
    for v in reg.snapshot().all_versions():
        addr = v.postal_address
        if addr and not addr["skip_validation"]:
            assert register.check(addr["street"], addr["house_number"], addr["postcode"]) == []
            checked += 1
    assert checked > 500


def test_tests_do_not_share_state(demo: sorkit.Register, demo_template: object) -> None:
    """Meta-test: the `demo` fixture is a private copy; writing to it leaves the template."""
    from tests.builders import find, write

    code = find(demo, "Sekretariatet, Allerød")
    write(
        demo, code, TODAY + dt.timedelta(days=2), "edit", phone="99999999", inherit_electronic=False
    )
    template = sorkit.open_register(demo_template, user="admin", today=TODAY)  # type: ignore[arg-type]
    assert template.unit(code, as_of=TODAY + dt.timedelta(days=3)).phone != "99999999"
    assert demo.unit(code, as_of=TODAY + dt.timedelta(days=3)).phone == "99999999"
