import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sorkit import ids

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference"


def _fixture_rows() -> list[dict[str, str]]:
    with (REFERENCE / "sor_fixture_enheder.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


FIXTURE = _fixture_rows()
SOR_CODES = [row["sor_id"] for row in FIXTURE]
CVRS = [row["cvr"] for row in FIXTURE if row["cvr"]]
with (REFERENCE / "gln_fixture.csv").open(encoding="utf-8", newline="") as _handle:
    GLNS = [row["gln"] for row in csv.DictReader(_handle)]
SAMPLE = SOR_CODES[:: len(SOR_CODES) // 50][:50]


# --- real identifiers -------------------------------------------------------------------------


def test_fixture_sizes():
    assert len(SOR_CODES) == 1999
    assert len(CVRS) == 1998
    assert len(GLNS) == 258
    assert len(SAMPLE) == 50


def test_all_real_sor_codes_are_valid():
    invalid = [code for code in SOR_CODES if not ids.is_valid_sor_code(code)]
    assert invalid == []


def test_all_real_cvrs_are_valid():
    invalid = [number for number in CVRS if not ids.is_valid_cvr(number)]
    assert invalid == []


def test_all_real_glns_are_valid_and_danish():
    assert [g for g in GLNS if not ids.is_valid_gln(g)] == []
    assert all(ids.is_danish_gln(g) for g in GLNS)


@pytest.mark.parametrize(
    ("code", "serial"),
    [
        ("11000016002", 1),  # the first possible SOR code
        ("21000016006", 2),  # Københavns Kommune (IE)
        ("311000016009", 31),  # Aarhus Kommune (IE)
        ("937961000016000", 93796),  # Sundhed og Omsorg Aarhus (SI)
        ("347801000016001", 34780),  # Roskilde Øjenklinik (IE)
        ("8341000016002", 834),  # OE with ydernummer 019062
        ("1053211000016007", 105321),  # OE, Herlev
    ],
)
def test_real_examples_from_the_domain_reference(code, serial):
    assert ids.is_valid_sor_code(code)
    assert ids.is_valid_sor_code(int(code))
    assert ids.sor_serial(code) == serial
    assert ids.make_sor_code(serial) == code


def test_make_sor_code_one():
    assert ids.make_sor_code(1) == "11000016002"


# --- error detection --------------------------------------------------------------------------


@pytest.mark.parametrize("code", SAMPLE)
def test_every_single_digit_change_is_detected(code):
    for position, digit in enumerate(code):
        for other in "0123456789":
            if other != digit:
                changed = code[:position] + other + code[position + 1 :]
                assert not ids.is_valid_sor_code(changed), changed


@pytest.mark.parametrize("code", SAMPLE)
def test_every_adjacent_transposition_is_detected(code):
    for position in range(len(code) - 1):
        a, b = code[position], code[position + 1]
        if a == b:  # swapping equal digits gives the same code
            continue
        swapped = code[:position] + b + a + code[position + 2 :]
        assert not ids.is_valid_sor_code(swapped), swapped


@pytest.mark.parametrize(
    "value",
    [
        "",
        "12345678901",  # DK Core's example: does not pass Verhoeff
        "01000016002",  # leading zero
        "1100001600",  # too short
        "1000016002",  # no serial
        "11000016102",  # SNOMED partition 10 instead of 00
        "41000035001",  # a net operator code (namespace 1000035), not a SOR code
        " 11000016002",
        "11000016002\n",
        "11000016002 ",
        "1100001600a",
        "١١٠٠٠٠١٦٠٠٢",  # Arabic-Indic digits
        None,
        11000016002.0,
        True,
        -11000016002,
    ],
)
def test_bad_sor_codes(value):
    assert not ids.is_valid_sor_code(value)


@pytest.mark.parametrize("value", ["21000016006x", "", "1", "12"])
def test_sor_serial_rejects_invalid_codes(value):
    with pytest.raises(ValueError):
        ids.sor_serial(value)


@pytest.mark.parametrize("serial", [0, -1, True, 1.0, "1"])
def test_make_sor_code_rejects_bad_serials(serial):
    with pytest.raises(ValueError):
        ids.make_sor_code(serial)


def test_next_sor_code_asks_the_register():
    class FakeRegister:
        def max_sor_serial(self) -> int:
            return 155492

    code = ids.next_sor_code(FakeRegister())
    assert code.startswith("1554931000016")
    assert ids.is_valid_sor_code(code)
    assert ids.sor_serial(code) == 155493


@given(st.integers(min_value=1, max_value=10**12))
def test_make_sor_code_is_valid_and_round_trips(serial):
    code = ids.make_sor_code(serial)
    assert ids.is_valid_sor_code(code)
    assert ids.sor_serial(code) == serial


# --- location numbers (GLN) -------------------------------------------------------------------


def test_make_gln():
    assert ids.make_gln("579000012311") == "5790000123117"


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_make_gln_is_valid(first12):
    gln = ids.make_gln(first12)
    assert ids.is_valid_gln(gln)
    assert gln[:12] == first12


@pytest.mark.parametrize(
    "value",
    ["5790000123118", "579000012311", "57900001231170", "579000012311a", "5790000123117\n", None],
)
def test_bad_glns(value):
    assert not ids.is_valid_gln(value)


def test_gln_as_int_and_foreign_prefix():
    assert ids.is_valid_gln(5790000123117)
    foreign = ids.make_gln("400638133393")
    assert ids.is_valid_gln(foreign)
    assert not ids.is_danish_gln(foreign)


@pytest.mark.parametrize("value", ["57900001231", "5790000123117", "57900001231a", 579000012311])
def test_make_gln_rejects_bad_input(value):
    with pytest.raises(ValueError):
        ids.make_gln(value)


# --- CVR, P-number, SHAK, ydernummer ----------------------------------------------------------


def test_make_cvr():
    assert ids.make_cvr("6494221") == "64942212"
    assert ids.make_cvr("1000005") is None  # check digit would have to be 10


@given(st.text(alphabet="0123456789", min_size=7, max_size=7))
def test_make_cvr_is_valid_or_none(first7):
    number = ids.make_cvr(first7)
    assert number is None or (ids.is_valid_cvr(number) and number.startswith(first7))


@pytest.mark.parametrize("value", ["64942213", "6494221", "649422120", "6494 2212", "", None])
def test_bad_cvrs(value):
    assert not ids.is_valid_cvr(value)


@pytest.mark.parametrize(
    ("check", "good", "bad"),
    [
        (
            ids.is_valid_p_number,
            ["1234567890", 1234567890],
            ["123456789", "12345678901", "12345a7890"],
        ),
        (
            ids.is_valid_shak,
            ["2529", "252901", "2529010", "3800A20", "665033L"],
            ["252", "25290101", "2529-01", "25 29", "", "25Ø9"],
        ),
        (ids.is_valid_ydernummer, ["019062", "77410", "1", 19062], ["", "1234567890", "01906a"]),
    ],
)
def test_other_identifiers(check, good, bad):
    assert all(check(value) for value in good)
    assert not any(check(value) for value in bad)


def test_identifier_problems():
    assert ids.identifier_problems() == {}
    assert ids.identifier_problems(shak="2529", ydernummer="019062", cvr="64942212") == {}
    problems = ids.identifier_problems(shak="25", ydernummer="x", cvr="64942213", p_number="1")
    assert set(problems) == {"shak", "ydernummer", "cvr", "p_number"}
    assert all(isinstance(reason, str) and reason for reason in problems.values())
    fixable = ids.identifier_problems(cvr="6494 2212")
    assert "64942212" in fixable["cvr"]


# --- cleaning ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ('="21000016006"', "21000016006"),
        ('= "2100 0016 006" ', "21000016006"),
        ("2100 0016 006", "21000016006"),
        ("5790-0001-23117", "5790000123117"),
        ("21.000.016.006", "21000016006"),
        ("6494\u00a02212", "64942212"),
        ("'21000016006", "21000016006"),
        ('"019062"', "019062"),
        (21000016006, "21000016006"),
        (21000016006.0, "21000016006"),
        ("  019062 ", "019062"),
        ("3800A20", "3800A20"),
        (None, ""),
    ],
)
def test_clean_digits(raw, clean):
    assert ids.clean_digits(raw) == clean


def test_clean_then_validate():
    assert not ids.is_valid_sor_code('="2100 0016 006"')
    assert ids.is_valid_sor_code(ids.clean_digits('="2100 0016 006"'))
