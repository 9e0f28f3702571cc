import shutil
from pathlib import Path

import pytest

from sorkit import refdata

REPO_DATA = Path(__file__).resolve().parent.parent / "data"


def test_data_dir_defaults_to_repo_data(monkeypatch):
    monkeypatch.delenv("SORKIT_DATA", raising=False)
    assert refdata.data_dir() == REPO_DATA
    assert refdata.reference_dir() == REPO_DATA / "reference"


def test_data_dir_from_environment(monkeypatch, tmp_path):
    shutil.copytree(REPO_DATA / "reference", tmp_path / "reference")
    regions_csv = tmp_path / "reference" / "regioner.csv"
    text = regions_csv.read_text(encoding="utf-8")
    regions_csv.write_text(text.replace("Region Sjælland", "Region Sjælland (test)"), "utf-8")
    monkeypatch.setenv("SORKIT_DATA", str(tmp_path))
    assert refdata.data_dir() == tmp_path
    assert refdata.region_name("1085") == "Region Sjælland (test)"
    monkeypatch.delenv("SORKIT_DATA")
    assert refdata.region_name("1085") == "Region Sjælland"


def test_five_regions():
    regions = refdata.regions()
    assert list(regions.columns) == ["code", "name", "short_name", "iso"]
    assert list(regions["code"]) == ["1081", "1082", "1083", "1084", "1085"]
    assert list(regions["iso"]) == ["DK-81", "DK-82", "DK-83", "DK-84", "DK-85"]
    assert refdata.region_name("1084") == "Region Hovedstaden"
    assert refdata.region_name(1081) == "Region Nordjylland"
    assert refdata.region_name("9999") is None


def test_98_municipalities_plus_ertholmene():
    kommuner = refdata.municipalities()
    assert list(kommuner.columns) == ["code", "name", "region_code", "region_name"]
    assert len(kommuner) == 99
    assert kommuner["code"].is_unique
    assert all(len(code) == 4 and code.isdigit() for code in kommuner["code"])
    in_regions = kommuner[kommuner["region_code"] != ""]
    assert len(in_regions) == 98
    assert in_regions.groupby("region_code").size().to_dict() == {
        "1081": 11,
        "1082": 19,
        "1083": 22,
        "1084": 29,
        "1085": 17,
    }
    ertholmene = kommuner[kommuner["code"] == "0411"].iloc[0]
    assert ertholmene["name"] == "Ertholmene"
    assert ertholmene["region_code"] == ""
    copenhagen = kommuner[kommuner["code"] == "0101"].iloc[0]
    assert (copenhagen["name"], copenhagen["region_name"]) == ("København", "Region Hovedstaden")


def test_postcodes():
    postcodes = refdata.postcodes()
    assert len(postcodes) == 1109
    assert postcodes["0800"] == "Høje Taastrup"
    assert postcodes["0999"] == "København C"
    assert postcodes["2300"] == "København S"
    assert all(len(code) == 4 and code.isdigit() for code in postcodes)
    assert "800" not in postcodes


def test_unit_types_table():
    types = refdata.unit_types()
    assert list(types.columns) == ["code", "name", "name_en", "levels"]
    assert len(types) == 74
    assert types["code"].is_unique
    assert all(isinstance(levels, tuple) and levels for levels in types["levels"])


@pytest.mark.parametrize(
    ("code", "name", "levels"),
    [
        ("550811000005108", "administrativ enhed", ("OE",)),
        ("22232009", "hospital", ("SI",)),
        ("547211000005108", "kommune", ("IE",)),
        ("42665001", "plejehjem", ("SI", "OE")),  # observed on both levels
        ("284546000", "hospice", ("SI", "OE")),  # newer type, never observed
    ],
)
def test_unit_type_levels(code, name, levels):
    types = refdata.unit_types().set_index("code")
    assert types.loc[code, "name"] == name
    assert types.loc[code, "levels"] == levels
    assert refdata.unit_type_name(code) == name
    for level in refdata.LEVELS:
        assert (code in refdata.unit_types_for_level(level)) == (level in levels)


def test_unit_types_for_level():
    owners = refdata.unit_types_for_level("IE")
    assert owners == {
        "547211000005108": "kommune",
        "550891000005100": "privat",
        "550881000005103": "region",
        "398070004": "stat",
    }
    oe_names = list(refdata.unit_types_for_level("OE").values())
    assert oe_names == sorted(oe_names, key=refdata.danish_sort_key)
    assert "administrativ enhed" in oe_names
    with pytest.raises(ValueError):
        refdata.unit_types_for_level("XX")


def test_unit_type_name():
    assert len(refdata.unit_type_names()) == 74
    assert refdata.unit_type_names()["547211000005108"] == "kommune"
    assert refdata.unit_type_name(22232009) == "hospital"
    assert refdata.unit_type_name("0") is None


def test_specialities():
    specialities = refdata.specialities()
    assert len(specialities) == 55
    assert specialities["408443003"] == "almen medicin"
    assert specialities["554011000005107"] == "retsmedicin"


def test_edi_code_lists():
    assert refdata.net_operators()["41000035001"] == "KMD"
    assert len(refdata.net_operators()) == 7
    assert set(refdata.system_suppliers()) == {"641000055002", "1001000055001"}
    assert set(refdata.edb_systems()) == {"1611000045003", "221000045007"}
    assert set(refdata.edi_administrators()) == {"116", "106"}
    assert set(refdata.geographical_parent_relations()) == {"1", "2", "3", "4", "5"}
    edi_types = refdata.medcom_edi_types()
    assert edi_types["FDIS20"].startswith("Korrespondancemeddelelse")
    assert len(edi_types) == 11


def test_results_are_copies():
    refdata.postcodes()["0800"] = "changed"
    types = refdata.unit_types()
    types.loc[0, "name"] = "changed"
    assert refdata.postcodes()["0800"] == "Høje Taastrup"
    assert refdata.unit_types().loc[0, "name"] != "changed"


def test_danish_sort_key():
    words = ["Åbyvej", "Ærøvej", "Zebravej", "Østervej", "abevej"]
    assert sorted(words, key=refdata.danish_sort_key) == [
        "abevej",
        "Zebravej",
        "Ærøvej",
        "Østervej",
        "Åbyvej",
    ]
