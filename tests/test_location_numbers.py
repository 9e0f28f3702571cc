"""Location numbers the way SOR handles them (issue #17): allocation, MedCom, codes, history.

Table tests per acceptance line; the concurrency test runs two processes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sorkit
from sorkit import CloseUnit, EditUnit, LocationNumber, SetLocationNumber
from sorkit.gln import allocation as glnalloc
from sorkit.ids import is_valid_gln
from sorkit.integrity import check
from tests.conftest import TODAY
from tests.helpers_procs import result, start
from tests.helpers_rules import location_number

TOMORROW = TODAY + dt.timedelta(days=1)
SCHOOL = "Blovstrød Skole"
SEK = "Sekretariatet, Allerød"


def code_of(reg: sorkit.Register, name: str) -> str:
    """The SOR code of the demo unit with exactly this name."""
    found = reg.search(name)
    return str(found[found["name"] == name]["sor_code"].iloc[0])


def new_number(**changes: Any) -> LocationNumber:
    """A complete location number that asks for a new number (``gln=None``)."""
    return dataclasses.replace(location_number(), gln=None, **changes)


def in_range(gln: str, rng: glnalloc.GlnRange) -> bool:
    """True if ``gln`` lies in the range."""
    return int(rng.first) <= int(gln[:12]) <= int(rng.last)


# -- allocation -------------------------------------------------------------------------------


def test_allocation_gives_a_valid_unused_number_in_range(demo: sorkit.Register) -> None:
    rng = glnalloc.gln_range(demo)
    assert rng is not None and rng.size == 100_000  # the demo register has a range
    unit = code_of(demo, SCHOOL)
    plan = demo.plan(SetLocationNumber(unit, new_number()))
    gln = plan.allocated_gln
    assert plan.ok and gln is not None
    assert is_valid_gln(gln) and in_range(gln, rng)
    assert not demo.snapshot().holders("gln", gln)  # unused before
    assert plan.change.location_number.gln is None  # the change stays as asked
    assert gln in " ".join(plan.preview["changes"])  # the preview shows the number to be given
    applied = demo.apply(plan)
    assert applied.location_number == gln
    assert demo.unit(unit, as_of=TOMORROW).location_number.gln == gln
    # the next one is another number, and the audit names the number given
    again = demo.plan(SetLocationNumber(code_of(demo, SEK), new_number()))
    assert again.allocated_gln not in (None, gln)
    audit = demo.store.query(
        "SELECT parameters FROM audit WHERE change_id = ?", [applied.change_id]
    )
    params = json.loads(audit[0][0])
    assert params["gln_allocated"] == gln
    assert params["location_number"]["gln"] == gln


def test_allocation_skips_numbers_already_held(demo: sorkit.Register) -> None:
    rng = glnalloc.gln_range(demo)
    assert rng is not None
    first = rng.first_gln
    school, sek = code_of(demo, SCHOOL), code_of(demo, SEK)
    demo.apply(demo.plan(SetLocationNumber(school, location_number(first))))  # typed by hand
    plan = demo.plan(SetLocationNumber(sek, new_number()))
    assert plan.allocated_gln != first and plan.allocated_gln is not None
    assert int(plan.allocated_gln[:12]) == int(rng.first) + 1


@pytest.mark.parametrize(
    ("scenario", "size", "taken", "expected"),
    [
        ("no range set", None, 0, True),
        ("one number, none given", 1, 0, False),
        ("one number, given", 1, 1, True),
        ("two numbers, one given", 2, 1, False),
        ("two numbers, both given", 2, 2, True),
    ],
)
def test_range_exhausted(
    empty: sorkit.Register, scenario: str, size: int | None, taken: int, expected: bool
) -> None:
    reg = empty
    start_day = TODAY + dt.timedelta(days=7)
    first = reg.plan(
        sorkit.CreateUnit(
            parent=None,
            name="Region X",
            unit_type="550881000005103",
            phone="33333333",
            postal_address=sorkit.Address("Kongens Nytorv", "1", "1050", skip_validation=True),
        )
    )
    ie = reg.apply(first, accept={w.code: "t" for w in first.warnings}).sor_codes[0]
    if size is not None:
        glnalloc.set_gln_range(reg, "579000100000", f"{579000100000 + size - 1}")
    for _ in range(taken):
        plan = reg.plan(SetLocationNumber(ie, new_number(), effective_from=start_day))
        assert plan.ok, scenario
        reg.apply(plan)
    plan = reg.plan(SetLocationNumber(ie, new_number(), effective_from=start_day))
    assert ("GLN_RANGE_EXHAUSTED" in plan.codes) is expected, (scenario, plan.codes)
    assert "GLN_INVALID" not in plan.codes
    if expected:
        assert plan.allocated_gln is None and not plan.ok


def test_only_sds_admin_sets_the_range(demo: sorkit.Register) -> None:
    with pytest.raises(PermissionError):
        glnalloc.set_gln_range(demo.as_user("kommune"), "579000100000", "579000100009")
    with pytest.raises(ValueError, match="tomt"):
        glnalloc.set_gln_range(demo, "579000100009", "579000100000")
    with pytest.raises(ValueError, match="12 cifre"):
        glnalloc.set_gln_range(demo, "5790001", "579000100000")
    rng = glnalloc.set_gln_range(demo, "5790001000004", 579000100009)  # a GLN and an int
    assert (rng.first, rng.last) == ("579000100000", "579000100009")
    assert glnalloc.gln_range(demo) == rng


def test_two_processes_allocating_at_once_get_different_numbers(
    demo: sorkit.Register, tmp_path: Path
) -> None:
    units = [code_of(demo, SCHOOL), code_of(demo, SEK)]
    go = tmp_path / "go"
    workers = []
    for i, unit in enumerate(units):
        ready = tmp_path / f"ready{i}"
        workers.append((start("allocate", demo.path, unit, ready, go), ready))
    deadline = time.monotonic() + 120
    while not all(r.exists() for _, r in workers):
        assert time.monotonic() < deadline, "workers did not get ready"
        time.sleep(0.05)
    go.write_text("go")
    outcomes = [result(w) for w, _ in workers]
    assert [o["result"] for o in outcomes] == ["applied", "applied"], outcomes
    # both planned the same first free number; the one that came second got the next one
    assert outcomes[0]["planned"] == outcomes[1]["planned"]
    given = {o["gln"] for o in outcomes}
    assert len(given) == 2 and all(is_valid_gln(g) for g in given)
    demo.refresh()
    held = {demo.unit(u, as_of=TOMORROW).location_number.gln for u in units}
    assert held == given
    assert check(demo).ok


# -- MedCom for municipal stewards ----------------------------------------------------------------

RIGS = "Øjenafdelingen, Ambulatorium"  # an OE of a hospital in Region Hovedstaden

MEDCOM_ROWS = [
    ("kommune, new number", "kommune", SCHOOL, lambda c: SetLocationNumber(c, new_number()), True),
    (
        "kommune, changes EDI types",
        "kommune",
        SCHOOL,
        lambda c: EditUnit(c, location_number=location_number(edi_types=("FDIS91",))),
        True,
    ),
    ("kommune, inherit", "kommune", SCHOOL, lambda c: SetLocationNumber(c, inherit=True), True),
    (
        "kommune, phone only",
        "kommune",
        SCHOOL,
        lambda c: EditUnit(c, phone="44556677"),
        False,
    ),
    ("region", "region", RIGS, lambda c: SetLocationNumber(c, new_number()), False),
    (
        "admin on a municipal unit",
        "admin",
        SCHOOL,
        lambda c: SetLocationNumber(c, new_number()),
        False,
    ),
]


@pytest.mark.parametrize(("scenario", "user", "unit", "make", "expected"), MEDCOM_ROWS)
def test_municipal_steward_is_told_to_contact_medcom(
    demo: sorkit.Register, scenario: str, user: str, unit: str, make: Any, expected: bool
) -> None:
    reg = demo.as_user(user)
    plan = reg.plan(make(code_of(demo, unit)))
    assert ("GLN_MUNICIPAL_CONTACT_MEDCOM" in plan.codes) is expected, (scenario, plan.codes)
    assert "PERMISSION_DENIED" not in plan.codes, scenario
    if expected:
        found = [v for v in plan.violations if v.code == "GLN_MUNICIPAL_CONTACT_MEDCOM"][0]
        assert found.severity == "warning" and "sor@medcom.dk" in found.message


def test_medcom_agreement_lands_in_the_audit(demo: sorkit.Register) -> None:
    reg = demo.as_user("kommune")
    plan = reg.plan(SetLocationNumber(code_of(demo, SCHOOL), new_number()))
    with pytest.raises(sorkit.ChangeRejected) as refused:
        reg.apply(plan)
    assert "GLN_MUNICIPAL_CONTACT_MEDCOM" in refused.value.codes
    why = "Aftalt med MedCom (sor@medcom.dk) 01-12-2026, sag 42"
    applied = reg.apply(plan, accept={"GLN_MUNICIPAL_CONTACT_MEDCOM": why})
    accepted = demo.store.query(
        "SELECT accepted FROM audit WHERE change_id = ?", [applied.change_id]
    )
    assert json.loads(accepted[0][0]) == {"GLN_MUNICIPAL_CONTACT_MEDCOM": why}
    row = reg.history(code_of(demo, SCHOOL)).iloc[-1]
    assert why in row["accepted"] and applied.location_number in row["changes"]


# -- code values ------------------------------------------------------------------------------

CODE_ROWS = [
    ("all str", {}, []),
    (
        "all int",
        dict(
            region=1084,
            edb_system=221000045007,
            system_supplier=641000055002,
            net_operator=41000035001,
            administrator=116,
        ),
        [],
    ),
    ("unknown net operator", dict(net_operator=99999), ["GLN_CODE_UNKNOWN"]),
    ("unknown administrator as str", dict(administrator="999"), ["GLN_CODE_UNKNOWN"]),
    ("real net operator from sor_netoperatoerer.csv", dict(net_operator="100097"), []),
]


@pytest.mark.parametrize(("scenario", "codes", "warned"), CODE_ROWS)
def test_int_and_str_codes_plan_alike_and_unknown_codes_warn(
    demo: sorkit.Register, scenario: str, codes: dict[str, Any], warned: list[str]
) -> None:
    unit = code_of(demo, SEK)
    plan = demo.plan(SetLocationNumber(unit, location_number(**codes)))
    assert [c for c in plan.codes if c == "GLN_CODE_UNKNOWN"] == warned, scenario
    assert plan.ok  # a warning, never a refusal
    base = demo.plan(SetLocationNumber(unit, location_number()))
    if scenario.startswith("all "):  # the same codes as int or str: the same plan
        assert plan.codes == base.codes
        assert list(plan.preview["changes"]) == list(base.preview["changes"])


@pytest.mark.parametrize("bad", [1084.0, True, ["1084"], b"1084"])
def test_other_code_types_are_a_clear_type_error(bad: Any) -> None:
    with pytest.raises(TypeError, match="region"):
        LocationNumber("5790000123117", region=bad)


def test_codes_are_text() -> None:
    ln = LocationNumber(
        5790000123117, region=1084, net_operator=" 41000035001 ", edi_types=["FDIS20"]
    )
    assert (ln.gln, ln.region, ln.net_operator, ln.edi_types) == (
        "5790000123117",
        "1084",
        "41000035001",
        ("FDIS20",),
    )


def test_code_values_come_from_every_source() -> None:
    from sorkit.gln import codes as codevalues

    nets = codevalues.known_codes("net_operator")
    assert nets["100097"] == "MedCom (EHMI/eDelivery)"  # sor_netoperatoerer.csv
    assert nets["41000035001"] == "KMD"
    assert codevalues.known_codes("region")["1084"] == "Region Hovedstaden"
    assert set(codevalues.known_codes("edb_system")) >= {"1611000045003", "221000045007"}
    assert codevalues.code_name("administrator", "116") == "ukendt kode"
    labels = [label for label, _ in codevalues.suggestions("system_supplier")]
    assert labels and all("navn ukendt" not in label for label in labels)
    assert codevalues.known_codes("edi_types")["FDIS20"].startswith("Korrespondance")


# -- history ----------------------------------------------------------------------------------


def test_history_shows_edi_types_and_net_operator_changes(demo: sorkit.Register) -> None:
    unit = code_of(demo, SEK)
    demo.apply(demo.plan(SetLocationNumber(unit, location_number(edi_types=("FDIS20",)))))
    changed = location_number(
        edi_types=("FDIS91", "XRPT01"), net_operator="81000035007", only_internal=True
    )
    day = TOMORROW + dt.timedelta(days=1)
    demo.apply(demo.plan(SetLocationNumber(unit, changed, effective_from=day)))
    text = demo.history(unit).iloc[-1]["changes"]
    assert "Netoperatør: 41000035001 (KMD) -> 81000035007 (DataGruppen MultiMed A/S)" in text
    assert "EDI-typer tilføjet: FDIS91" in text and "XRPT01" in text
    assert "EDI-typer fjernet: FDIS20" in text
    assert "Kun internt brug: nej -> ja" in text
    assert "ingen ændring" not in text
    # the audit record lists the same changes
    change_id = demo.history(unit).iloc[-1]["change_id"]
    raw = demo.store.query("SELECT parameters FROM audit WHERE change_id = ?", [change_id])
    lines = json.loads(raw[0][0])["location_number_changes"]
    assert any(line.startswith("Netoperatør: 41000035001 (KMD) -> ") for line in lines)
    assert any(line.startswith("EDI-typer fjernet: FDIS20") for line in lines)


# -- after the last day -------------------------------------------------------------------------


def test_closed_unit_has_no_location_number_after_its_last_day(
    demo: sorkit.Register, tmp_path: Path
) -> None:
    unit = code_of(demo, "Sundhedscenter Allerød")
    gln = location_number().gln
    demo.apply(demo.plan(SetLocationNumber(unit, location_number())))
    last = TODAY + dt.timedelta(days=10)
    plan = demo.plan(CloseUnit(unit, last_day=last, confirm=True, cascade=True))
    demo.apply(plan, accept={w.code: "t" for w in plan.warnings})
    after = last + dt.timedelta(days=1)
    assert demo.unit(unit, as_of=last).location_number.gln == gln
    assert demo.unit(unit, as_of=after).location_number is None
    assert len(demo.search(gln=gln, as_of=last)) == 1
    assert demo.search(gln=gln, as_of=after, include_closed=True).empty
    assert demo.search(gln, as_of=after, include_closed=True).empty
    out = tmp_path / "after.csv"
    sorkit.export(demo, out, format="csv", as_of=after)
    assert gln not in out.read_text(encoding="utf-8")
    # free for another unit from the next day, not on the last day
    other = code_of(demo, SCHOOL)
    on_last = demo.plan(SetLocationNumber(other, location_number(gln), effective_from=last))
    next_day = demo.plan(SetLocationNumber(other, location_number(gln), effective_from=after))
    assert "GLN_IN_USE" in on_last.codes
    assert "GLN_IN_USE" not in next_day.codes and next_day.ok


# -- FHIR -------------------------------------------------------------------------------------


def test_fhir_leaves_out_inactive_and_marks_internal_numbers(demo: sorkit.Register) -> None:
    from fhir.resources.R4B.organization import Organization

    from sorkit.exporters.fhir import GLN_SYSTEM, INLINE_LABEL_URL, organization

    unit = demo.unit(code_of(demo, "Allerød Kommunes Tandpleje"))
    ln = unit.location_number
    assert ln is not None

    def gln_ids(resource: dict[str, Any]) -> list[dict[str, Any]]:
        return [i for i in resource["identifier"] if i["system"] == GLN_SYSTEM]

    plain = organization(unit, None)
    assert [i["value"] for i in gln_ids(plain)] == [ln.gln] and "meta" not in plain
    hidden = organization(
        dataclasses.replace(unit, location_number=dataclasses.replace(ln, inactive=True)), None
    )
    assert gln_ids(hidden) == []
    internal = organization(
        dataclasses.replace(unit, location_number=dataclasses.replace(ln, only_internal=True)), None
    )
    (marked,) = gln_ids(internal)
    assert marked["extension"][0]["url"] == INLINE_LABEL_URL
    assert marked["extension"][0]["valueCoding"]["code"] == "R"
    assert internal["meta"]["security"][0]["code"] == "PROCESSINLINELABEL"
    Organization.model_validate(internal)  # still a valid FHIR Organization


# -- batch --------------------------------------------------------------------------------------


def test_batch_rows_with_gln_ny_get_distinct_new_numbers(
    demo: sorkit.Register, tmp_path: Path
) -> None:
    from sorkit.batch import read_plan

    units = [code_of(demo, SCHOOL), code_of(demo, SEK)]
    path = tmp_path / "plan.csv"
    path.write_text(
        "operation,sor_code,gln,region,edb_system,system_supplier,net_operator,administrator,"
        "edi_types\n"
        + "".join(
            f"location_number,{u},ny,1084,221000045007,641000055002,41000035001,116,FDIS20\n"
            for u in units
        ),
        encoding="utf-8",
    )
    batch = read_plan(path)
    assert all(change.location_number.gln is None for change in batch)
    report = demo.plan_batch(batch)
    given = [row.plan.allocated_gln for row in report.rows]
    assert len(set(given)) == 2 and all(g and is_valid_gln(g) for g in given), given
    demo.apply_batch(report, accept={"GLN_MUNICIPAL_CONTACT_MEDCOM": "t"}, reason="test")
    assert [demo.unit(u, as_of=TOMORROW).location_number.gln for u in units] == given
    rng = glnalloc.gln_range(demo)
    assert rng is not None and int(rng.next) == max(int(g[:12]) for g in given) + 1
    # the next single allocation goes on after them
    nxt = demo.plan(SetLocationNumber(code_of(demo, "Sundhedscenter Allerød"), new_number()))
    assert nxt.allocated_gln not in given


# -- property: every differing field is named, nothing else ---------------------------------------

_codes = st.sampled_from(["1084", "41000035001", "116", None])
_numbers = st.builds(
    LocationNumber,
    gln=st.sampled_from(["5790000123117", "5790095000003"]),
    region=_codes,
    edb_system=_codes,
    system_supplier=_codes,
    net_operator=_codes,
    administrator=_codes,
    only_internal=st.booleans(),
    inactive=st.booleans(),
    edi_types=st.lists(st.sampled_from(["FDIS20", "FDIS91", "XRPT01"]), unique=True).map(tuple),
    note=st.sampled_from([None, "note a", "note b"]),
)


@settings(max_examples=200, deadline=None)
@given(old=_numbers, new=_numbers)
def test_location_changes_name_exactly_the_differing_fields(
    old: LocationNumber, new: LocationNumber
) -> None:
    from sorkit.gln.diff import location_changes
    from sorkit.texts import LOCATION_NUMBER_LABELS as L

    lines = location_changes(old, new)
    differing = {
        name
        for name in (
            "gln",
            "region",
            "edb_system",
            "system_supplier",
            "net_operator",
            "administrator",
            "only_internal",
            "inactive",
            "note",
        )
        if getattr(old, name) != getattr(new, name)
    }
    if set(old.edi_types) != set(new.edi_types):
        differing.add("edi_types")
    named = {
        name
        for name in L
        if any(line.startswith(L[name] + ":") or line.startswith(L[name] + " ") for line in lines)
    }
    assert named == differing, (lines, differing)
    assert (lines == []) == (not differing)
