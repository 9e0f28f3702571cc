"""Round trips through every format, and local attributes that keep their slots (1..5)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

import sorkit
from sorkit.batch.planfile import read_plan
from sorkit.exporters import load_parquet, write_sor_xml
from sorkit.importers import import_sor_csv, import_sor_xml
from sorkit.model import local_attribute_slots
from sorkit.widgets.state import UnitFields
from tests.builders import write
from tests.sorxsd import schema_errors

SAMPLES = Path(__file__).parent.parent / "data" / "reference" / "sor_xml_samples"
SAMPLE_DAY = dt.date(2010, 1, 26)
TODAY = dt.date(2026, 12, 1)
GP_OE = "8341000016002"  # the GP practice sample's organisational unit
_VIEW_ONLY = {"own", "inherited", "version_from", "version_to", "unit_type_name", "as_of"}


def _fresh(today: dt.date = TODAY) -> sorkit.Register:
    return sorkit.open_register(None, user="importer", today=today)


def _effective(unit: sorkit.Unit, *, edi_types: bool = False) -> dict[str, Any]:
    """Every field of a unit as read (inheritance resolved) that a format can carry."""
    out: dict[str, Any] = {}
    for name in unit.__dataclass_fields__:
        if name in _VIEW_ONLY:
            continue
        value = getattr(unit, name)
        if name == "location_number" and value is not None:
            value = {**value.to_dict(), **({} if edi_types else {"edi_types": ()})}
        if name.endswith("_address") and value is not None:
            value = {**value.to_dict(), "skip_validation": False}
        out[name] = value
    return out


@pytest.mark.parametrize(
    ("values", "slots"),
    [
        ((), ()),
        (("a",), ("a",)),
        (("", "", "c"), ("", "", "c")),
        ((None, "b", None, None), ("", "b")),
        (("a", " ", "c", "", ""), ("a", "", "c")),
        (["", "", "", "", ""], ()),
    ],
)
def test_local_attribute_slots(values: Any, slots: tuple[str, ...]) -> None:
    assert local_attribute_slots(values) == slots
    assert sorkit.EditUnit("1", local_attributes=values).assignments()["local_attributes"] == slots
    assert sorkit.CreateUnit("1", "x", None, local_attributes=values).local_attributes == slots


def test_app_form_keeps_the_slots() -> None:
    fields = UnitFields.from_own({"name": "A", "local_attributes": ("", "", "tredje")})
    assert fields.local_attributes == ("", "", "tredje", "", "")
    assert fields.assignments()["local_attributes"] == ("", "", "tredje")


def test_batch_plan_keeps_the_slots(tmp_path: Path) -> None:
    csv_plan = tmp_path / "plan.csv"
    csv_plan.write_text(
        "operation;sor_code;local_attributes\nrediger;1610551000016003;||tredje\n", "utf-8"
    )
    [edit] = read_plan(csv_plan)
    assert edit.fields["local_attributes"] == ("", "", "tredje")
    yaml_plan = tmp_path / "plan.yaml"
    yaml_plan.write_text(
        "- operation: edit\n  sor_code: '1610551000016003'\n  local_attributes: [null, b]\n",
        "utf-8",
    )
    [edit] = read_plan(yaml_plan)
    assert edit.fields["local_attributes"] == ("", "b")


def _gp_with_third_attribute(tmp_path: Path) -> sorkit.Register:
    reg = _fresh(SAMPLE_DAY)
    import_sor_xml(reg, SAMPLES / "ONE_PRAKSIS.xml")
    write(reg, GP_OE, dt.date(2010, 1, 1), "edit", local_attributes=("", "", "tredje"))
    return reg


def test_third_attribute_alone_survives_xml_csv_and_parquet(tmp_path: Path) -> None:
    reg = _gp_with_third_attribute(tmp_path)
    assert reg.unit(GP_OE).local_attributes == ("", "", "tredje")
    xml = tmp_path / "gp.xml"
    write_sor_xml(reg, xml, SAMPLE_DAY)
    assert "<LocalAttributeCollection><LocalAttribute3>tredje</LocalAttribute3>" in xml.read_text(
        "utf-8"
    )
    assert schema_errors(xml) == []
    back = _fresh(SAMPLE_DAY)
    import_sor_xml(back, xml)
    assert back.unit(GP_OE).local_attributes == ("", "", "tredje")

    csv = tmp_path / "gp.csv"
    sorkit.export(reg, csv, "csv", as_of=SAMPLE_DAY)
    header, row = csv.read_text("utf-8-sig").splitlines()[0], csv.read_text("utf-8-sig")
    assert "LocalAttribute3" in header and ";;tredje;" in row
    back = _fresh(SAMPLE_DAY)
    import_sor_csv(back, csv)
    assert back.unit(GP_OE).local_attributes == ("", "", "tredje")

    sorkit.export(reg, tmp_path / "pq", "parquet")
    copy = load_parquet(tmp_path / "pq", None, today=SAMPLE_DAY)
    assert copy.unit(GP_OE).local_attributes == ("", "", "tredje")


def test_demo_round_trips_through_sor2_csv(demo: sorkit.Register, tmp_path: Path) -> None:
    path = tmp_path / "demo.csv"
    count = sorkit.export(demo, path, "csv", include_closed=True).count
    assert count == len(demo.snapshot())  # closed units included
    reg = _fresh()
    import_sor_csv(reg, path)
    assert sorted(reg.snapshot().codes()) == sorted(demo.snapshot().codes())
    slotted = 0
    for code in demo.snapshot().codes():
        a, b = demo.unit(code), reg.unit(code)
        assert _effective(b) == _effective(a), code
        slotted += bool(a.local_attributes) and a.local_attributes[0] == ""
    assert slotted > 0  # the demo holds attributes in slot 2 or 3 alone


@pytest.mark.parametrize("name", ["ONE_SYGEHUS", "ONE_PRAKSIS", "ONE_APOTEK"])
def test_real_samples_round_trip_through_csv_and_parquet(name: str, tmp_path: Path) -> None:
    first = _fresh(SAMPLE_DAY)
    import_sor_xml(first, SAMPLES / f"{name}.xml")
    sorkit.export(first, tmp_path / "s.csv", "csv")
    from_csv = _fresh(SAMPLE_DAY)
    import_sor_csv(from_csv, tmp_path / "s.csv")
    sorkit.export(first, tmp_path / "pq", "parquet")
    from_parquet = load_parquet(tmp_path / "pq", None, today=SAMPLE_DAY)
    for code in first.snapshot().codes():
        assert _effective(from_csv.unit(code)) == _effective(first.unit(code)), code
        assert first.unit(code) == from_parquet.unit(code)
        assert first.unit(code).postal_address == from_csv.unit(code).postal_address
    ie = first.unit(next(c for c in first.snapshot().codes() if first.unit(c).level == "IE"))
    assert ie.postal_address is not None and ie.postal_address.city  # cities included
