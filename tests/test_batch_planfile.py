"""Reading plan files (CSV, XLSX, YAML) into change values; every bad row and column reported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

import sorkit
from sorkit.batch import Batch, read_plan

PLANS = Path(__file__).parent / "data" / "plans"
HEADER = "operation,ref,sor_code,parent,new_parent,date,name,unit_type,phone,confirm,cascade"


def write(tmp_path: Path, text: str, name: str = "plan.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_sample_plan_reads_into_changes_with_rows_refs_and_names() -> None:
    batch = read_plan(PLANS / "reorganise_alleroed.csv", default_date="2027-01-01")
    assert isinstance(batch, Batch)
    assert [type(c).__name__ for c in batch] == [
        "CreateUnit",
        "MoveUnit",
        "MoveUnit",
        "EditUnit",
        "CloseUnit",
        "EditUnit",
    ]
    assert batch.rows == [2, 3, 4, 5, 6, 7]
    assert batch.refs == {0: "NYT1"}
    create = batch[0]
    assert create.parent == "1610441000016000"
    assert create.valid_from == dt.date(2027, 1, 1)
    assert create.inherit_electronic and create.inherit_location_number
    assert batch[1].new_parent == "@NYT1"
    # close rows without a date: the unit is gone from the default date, so its last day is the
    # day before
    assert batch[4].last_day == dt.date(2026, 12, 31)
    assert batch[4].confirm is True
    assert batch[5].effective_from == dt.date(2027, 2, 1)
    assert batch[5].fields == {"phone": "48101010"}
    assert batch.names[4] == "Hjemmeplejen Allerød Vest"


def test_bad_date_names_row_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER
        + "\n"
        + "edit,,1610551000016003,,,,Nyt navn,,,,\n"
        + "edit,,1610551000016003,,,2027-01-02,,,48100000,,\n"
        + "move,,1610451000016002,,1610441000016000,2026-13-01,,,,,\n",
    )
    with pytest.raises(sorkit.PlanError) as info:
        read_plan(path)
    assert "række 4, kolonne date: '2026-13-01' er ikke en gyldig dato" in str(info.value)
    assert len(info.value.problems) == 1
    assert info.value.problems[0].row == 4
    assert info.value.problems[0].column == "date"


def test_every_bad_row_and_column_is_listed(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER
        + ",colour\n"
        + "fly,,1610451000016002,,,,,,,,,\n"  # row 2: unknown operation
        + "move,,,,1610441000016000,,,,,,,\n"  # row 3: sor_code missing
        + "move,,1610451000016002,,@NOPE,,,,,,,\n"  # row 4: unknown ref
        + "close,,1610451000016003,,,,,,,maybe,,\n"  # row 5: bad code, no date, bad flag
        + "create,A,,1610441000016000,,,,,,,,\n"  # row 6: name and unit type missing
        + "edit,,1610551000016003,,,,,,,,,\n",  # row 7: nothing to change
    )
    with pytest.raises(sorkit.PlanError) as info:
        read_plan(path)
    text = str(info.value)
    where = {(p.row, p.column) for p in info.value.problems}
    assert (None, "colour") in where
    assert (2, "operation") in where
    assert (3, "sor_code") in where
    assert (4, "new_parent") in where
    assert {(5, "sor_code"), (5, "date"), (5, "confirm")} <= where
    assert {(6, "name"), (6, "unit_type")} <= where
    assert (7, None) in where
    assert "'fly' er ikke en kendt operation" in text
    assert "'1610451000016003' er ikke en gyldig SOR-kode" in text
    assert "'maybe' er hverken ja eller nej" in text
    assert text.startswith("Planen ")


def test_columns_an_operation_does_not_use_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "\nmove,,1610451000016002,1610441000016000,,,,,,,\n")
    with pytest.raises(sorkit.PlanError) as info:
        read_plan(path)
    where = {(p.row, p.column) for p in info.value.problems}
    assert (2, "parent") in where  # parent is for create; a move uses new_parent
    assert (2, "new_parent") in where


def test_semicolon_csv_with_danish_words_and_dates(tmp_path: Path) -> None:
    text = (
        "operation;sor_code;new_parent;date;local_attributes;street;house_number;postcode\n"
        "flyt;1610451000016002;1610441000016000;15-01-2027;;;;\n"
        "rediger;1610551000016003;;15.01.2027;team a|team b;Bjarkesvej;2;3450\n"
    )
    path = tmp_path / "plan.csv"
    path.write_bytes(text.encode("cp1252"))  # Excel's CSV on a Danish Windows
    batch = read_plan(path)
    assert batch[0] == sorkit.MoveUnit("1610451000016002", "1610441000016000", dt.date(2027, 1, 15))
    edit = batch[1]
    assert edit.fields["local_attributes"] == ("team a", "team b")
    assert edit.fields["postal_address"] == sorkit.Address("Bjarkesvej", "2", "3450")


def test_dash_clears_a_field_and_location_number_rows(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "operation,sor_code,date,email,street,gln,region,edb_system,system_supplier,"
        "net_operator,administrator,edi_types,inherit_location_number\n"
        "edit,1610551000016003,2027-01-01,-,-,,,,,,,,\n"
        "location_number,1610551000016003,2027-01-01,,,5790000000005,1084,1,2,3,4,XDIS01|XREF01,\n"
        "location_number,1610561000016000,,,,,,,,,,,ja\n"
        "location_number,1610571000016005,,,,-,,,,,,,\n",
    )
    batch = read_plan(path)
    assert batch[0].fields == {"email": None, "postal_address": None}
    ln = batch[1].location_number
    assert ln.gln == "5790000000005" and ln.edi_types == ("XDIS01", "XREF01")
    assert ln.region == "1084" and ln.net_operator == "3"
    assert batch[2].inherit is True and batch[2].location_number is None
    assert batch[3].location_number is None and batch[3].inherit is False


def test_xlsx_plan_with_dates_and_an_excel_mangled_code(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "plan"
    ws.append(["Operation", "SOR code", "New parent", "Date"])
    ws.append(["move", "1610451000016002", "1610441000016000", dt.datetime(2027, 1, 1)])
    ws.append(["move", 1.610451000016e15, "1610441000016000", dt.datetime(2027, 1, 1)])
    path = tmp_path / "plan.xlsx"
    wb.save(path)
    with pytest.raises(sorkit.PlanError) as info:
        read_plan(path)
    (problem,) = info.value.problems
    assert (problem.row, problem.column) == (3, "sor_code")
    assert "Excel" in problem.message
    ws.delete_rows(3)
    wb.save(path)
    (move,) = read_plan(path)
    assert move == sorkit.MoveUnit("1610451000016002", "1610441000016000", dt.date(2027, 1, 1))


def test_yaml_plan(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
rows:
  - operation: create
    ref: NY
    parent: "1610441000016000"
    name: Ny enhed
    unit_type: administrativ enhed
    inherit_electronic: true
    local_attributes: [a, b]
  - operation: close
    sor_code: "@NY"
    date: 2027-03-31
    confirm: ja
""",
        "plan.yaml",
    )
    batch = read_plan(path, default_date=dt.date(2027, 1, 1))
    create, close = batch
    assert create.unit_type == "550811000005108"  # the type's name is looked up
    assert create.local_attributes == ("a", "b")
    assert create.valid_from == dt.date(2027, 1, 1)
    assert close.sor_code == "@NY" and close.last_day == dt.date(2027, 3, 31)
    assert batch.rows == [1, 2] and batch.refs == {0: "NY"}


def test_refs_must_come_before_use_and_be_unique(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "operation,ref,sor_code,parent,name,unit_type,inherit_electronic\n"
        "edit,,@LATER,,Navn,,\n"
        "create,LATER,,1610441000016000,A,550811000005108,ja\n"
        "create,LATER,,1610441000016000,B,550811000005108,ja\n",
    )
    with pytest.raises(sorkit.PlanError) as info:
        read_plan(path)
    where = {(p.row, p.column) for p in info.value.problems}
    assert where == {(2, "sor_code"), (4, "ref")}


def test_empty_and_unknown_files(tmp_path: Path) -> None:
    with pytest.raises(sorkit.PlanError, match="ingen rækker"):
        read_plan(write(tmp_path, HEADER + "\n"))
    with pytest.raises(sorkit.PlanError, match="ukendt filtype"):
        read_plan(write(tmp_path, "x", "plan.json"))
    with pytest.raises(sorkit.PlanError, match="findes ikke"):
        read_plan(tmp_path / "missing.csv")
