import pytest

from sorkit import refdata
from sorkit.addresses import (
    HOUSE_NUMBER_OUT_OF_RANGE,
    POSTCODE_UNKNOWN,
    REGISTER_NO_COVERAGE,
    STREET_UNKNOWN,
    AddressProblem,
    AddressRegister,
    HouseNumber,
    HouseNumberRange,
    _parse_range,
)

SUBSET = refdata.reference_dir() / "addresses"


@pytest.fixture(scope="module")
def reg() -> AddressRegister:
    """The DAWA subset of the CPR road register (full names + addressing names, ranges)."""
    return AddressRegister.load(
        SUBSET / "cpr_vej.csv", SUBSET / "cpr_postnr.csv", refdata.postcodes()
    )


def codes(problems: list[AddressProblem]) -> list[str]:
    return [problem.code for problem in problems]


# --- valid addresses --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("street", "number", "postcode"),
    [
        ("Eliasgade", "12", "2300"),  # even side 2-998
        ("Eliasgade", "13", "2300"),  # odd side 1-999
        ("Eliasgade", "13B", "2300"),
        ("Eliasgade", "13 b", "2300"),
        ("eliasgade", "998", "2300"),  # case is ignored
        ("Holmens Kanal", "2", "1060"),  # even side with an open lower bound
        ("Borgmester Christiansens Gade", "40", "2450"),
        ("Borgm Christiansensg", "40", "2450"),  # the CPR addressing name
        ("Hollændervej", "44", "2791"),
        ("HOLLÆNDERVEJ", "41", "2791"),
        ("Søndre Kinkelgade", "27", "2791"),  # odd side 27-39
        ("Ndr Engvej", "2A", "2791"),  # range starts at 2A
        ("Ndr Engvej", "22", "2791"),
        ("Thomas B. Thriges Gade", "21", "5000"),
        ("Thomas B Thriges Gade", "39P", "5000"),  # punctuation is ignored
        ("Hovedvejen", "81X", "4000"),  # range ends at 81X
    ],
)
def test_valid_address_passes(reg, street, number, postcode):
    assert reg.check(street, number, postcode) == []


def test_every_sample_address_is_valid(reg):
    samples = reg.sample_addresses()
    assert len(samples) > 200
    bad = [s for s in samples if reg.check(s[0], s[1], s[2])]
    assert bad == []
    again = AddressRegister.load(SUBSET / "cpr_vej.csv", SUBSET / "cpr_postnr.csv", {})
    assert samples == again.sample_addresses()  # deterministic


def test_sample_addresses_per_municipality(reg):
    copenhagen = reg.sample_addresses("101")
    assert copenhagen == reg.sample_addresses("0101")
    assert ("Eliasgade", "1", "2300", "København S") in copenhagen
    assert ("Eliasgade", "2", "2300", "København S") in copenhagen
    assert {pc for _, _, pc, _ in copenhagen} == {"1060", "2300", "2450"}
    assert reg.sample_addresses("0851") == []  # Aalborg: not in the subset


def test_municipalities_with_streets(reg):
    kommuner = reg.municipalities_with_streets()
    assert len(kommuner) == 20
    assert "0101" in kommuner and "0461" in kommuner
    known = set(refdata.municipalities()["code"])
    assert set(kommuner) <= known


# --- problems ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("street", "number", "postcode"),
    [
        ("Eliasgade", "1000", "2300"),  # beyond 999
        ("Eliasgade", "999B", "2300"),  # after the upper bound (999,"")
        ("Brydevej", "12", "2791"),  # even side ends at 10
        ("Brydevej", "13", "2791"),  # odd side ends at 11
        ("Ndr Engvej", "2", "2791"),  # even side starts at 2A
        ("Ndr Engvej", "24", "2791"),
        ("Munke Bjergbyvej", "49", "4180"),
        ("Eliasgade", "", "2300"),
        ("Eliasgade", None, "2300"),
        ("Eliasgade", "12-14", "2300"),
        ("Eliasgade", "tolv", "2300"),
    ],
)
def test_house_number_out_of_range(reg, street, number, postcode):
    assert codes(reg.check(street, number, postcode)) == [HOUSE_NUMBER_OUT_OF_RANGE]


def test_wrong_parity_is_out_of_range(reg):
    # Hyldeengen, Dragør: odd 1-5, even 2-4, so 6 and 7 do not exist, 5 does.
    assert reg.check("Hyldeengen", "5", "2791") == []
    assert codes(reg.check("Hyldeengen", "6", "2791")) == [HOUSE_NUMBER_OUT_OF_RANGE]
    problem = reg.check("Hyldeengen", "7", "2791")[0]
    assert problem.details["street"] == "Hyldeengen"
    assert sorted(problem.details["ranges"]) == ["1-5 (ulige)", "2-4 (lige)"]


def test_unknown_street_suggests_the_right_name(reg):
    [problem] = reg.check("Eliasgde", "12", "2300")
    assert problem.code == STREET_UNKNOWN
    assert "Eliasgade" in problem.details["suggestions"]
    [problem] = reg.check("Hollendervej", "4", "2791")
    assert problem.code == STREET_UNKNOWN
    assert "Hollændervej" in problem.details["suggestions"]


def test_street_from_another_postcode_is_unknown(reg):
    # Eliasgade exists in 2300, not in 2450.
    assert codes(reg.check("Eliasgade", "12", "2450")) == [STREET_UNKNOWN]
    # A former name (before 1985) is not accepted; the current one is suggested.
    [problem] = reg.check("Munke Bjærgbyvej", "51", "4180")
    assert problem.code == STREET_UNKNOWN
    assert "Munke Bjergbyvej" in problem.details["suggestions"]


@pytest.mark.parametrize("postcode", ["0001", "1234", "", "abcd", None, "23000"])
def test_unknown_postcode(reg, postcode):
    assert codes(reg.check("Eliasgade", "12", postcode)) == [POSTCODE_UNKNOWN]
    assert not reg.postcode_known(postcode)


@pytest.mark.parametrize("postcode", ["9000", "0800", "8200"])
def test_known_postcode_without_coverage(reg, postcode):
    assert reg.postcode_known(postcode)
    assert not reg.has_coverage(postcode)
    assert codes(reg.check("Finnes Ikke Vej", "1", postcode)) == [REGISTER_NO_COVERAGE]


def test_postcode_lookups(reg):
    assert reg.postcode_known("0800")
    assert reg.postcode_known("800")  # a 3-digit code is padded
    assert reg.has_coverage("2300")
    assert reg.city("2300") == "København S"
    assert reg.city("5000") == "Odense C"
    assert reg.city("0001") is None


# --- streets and suggestions ------------------------------------------------------------------


def test_suggest_eli(reg):
    assert reg.suggest("Eli", "2300") == ["Eliasgade"]
    assert "Eliasgade" in reg.suggest("eli")


def test_suggest_prefix_before_contains(reg):
    result = reg.suggest("Ø", "5000", limit=50)
    assert result[:2] == ["Ørstedsgade", "Østergade"]  # start with Ø
    assert "Nørregade" in result[2:]  # contains ø
    assert all("ø" in name.casefold() for name in result)
    assert reg.suggest("ø", "5000", limit=1) == ["Ørstedsgade"]
    gade = reg.suggest("gade", "5000", limit=50)
    assert len(gade) == 11 and gade == sorted(gade, key=refdata.danish_sort_key)


def test_suggest_danish_letters(reg):
    assert "Hollændervej" in reg.suggest("HOLLÆ", "2791")
    assert "Søndre Kinkelgade" in reg.suggest("sø", "2791")
    assert reg.suggest("sø", "2791")[0].casefold().startswith("sø")
    everywhere = reg.suggest("ø", limit=100)
    assert everywhere and all("ø" in name.casefold() for name in everywhere)
    assert reg.suggest("Eli", "9000") == []


def test_streets_are_sorted_in_danish_order(reg):
    streets = reg.streets("2791")
    assert "Hollændervej" in streets
    assert streets == sorted(streets, key=refdata.danish_sort_key)
    # æ, ø, å sort after z
    assert refdata.danish_sort_key("Åvej") > refdata.danish_sort_key("Zvej")
    assert reg.streets("9000") == []


def test_ranges_carry_municipality_and_road_codes(reg):
    ranges = reg.ranges("Eliasgade", "2300")
    assert {(r.kommunekode, r.vejkode) for r in ranges} == {("0101", "1484")}
    assert {r.side for r in ranges} == {"L", "U"}
    assert reg.ranges("Eliasgade", "2450") == []


# --- parsing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('["(1,"""")","(999,"""")"]', ('(1,"")', '(999,"")', True, True)),
        ('(,"(998,"""")"]', (None, '(998,"")', False, True)),
        ('["(2,A)","(22,"""")"]', ("(2,A)", '(22,"")', True, True)),
        ("(,)", (None, None, False, False)),
        ('["1900-01-01 12:00:00+01",)', ("1900-01-01 12:00:00+01", None, True, False)),
        ("empty", None),
    ],
)
def test_parse_range(text, expected):
    assert _parse_range(text) == expected


@pytest.mark.parametrize("text", ["", "1-999", "[1,2,3]", "[1,2"])
def test_parse_range_rejects_garbage(text):
    with pytest.raises(ValueError):
        _parse_range(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", HouseNumber(12)),
        ("12B", HouseNumber(12, "B")),
        ("12 b", HouseNumber(12, "B")),
        (" 7 ", HouseNumber(7)),
        (12, HouseNumber(12)),
        ("12Ø", HouseNumber(12, "Ø")),
        ("0", None),
        ("", None),
        ("12BB", None),
        ("B12", None),
        (None, None),
    ],
)
def test_house_number_parse(text, expected):
    assert HouseNumber.parse(text) == expected


def test_house_number_range_semantics():
    open_low = HouseNumberRange("L", None, HouseNumber(10))
    assert open_low.first() == HouseNumber(2)
    assert open_low.contains(HouseNumber(10)) and not open_low.contains(HouseNumber(10, "A"))
    exclusive = HouseNumberRange("U", HouseNumber(3), HouseNumber(9), False, False)
    assert exclusive.first() == HouseNumber(5)
    assert not exclusive.contains(HouseNumber(9)) and exclusive.contains(HouseNumber(7, "C"))
    empty = HouseNumberRange("U", HouseNumber(4), HouseNumber(4))
    assert empty.first() is None


def test_load_a_national_style_file(tmp_path):
    vej = tmp_path / "vej.csv"
    vej.write_text(
        "kommunekode;vejkode;navn;adresseringsnavn;virkning\n"
        '851;10;Gammel Vej;Gl Vej;"[\\"1900-01-01 12:00:00+01\\",\\"1990-01-01 12:00:00+01\\")"\n'
        '851;10;Ny Vej;Ny Vej;"[\\"1990-01-01 12:00:00+01\\",)"\n',
        encoding="utf-8",
    )
    postnr = tmp_path / "postnr.csv"
    postnr.write_text(
        "kommunekode;vejkode;husnrinterval;side;nr;navn;virkning\n"
        '851;10;"[\\"(1,\\"\\"\\"\\")\\",\\"(9,\\"\\"\\"\\")\\"]";U;9000;Aalborg;\n'
        '851;10;"(,)";L;9000;Aalborg;\n',
        encoding="utf-8",
    )
    reg = AddressRegister.load(vej, postnr, refdata.postcodes())
    assert reg.streets("9000") == ["Ny Vej"]
    assert reg.check("Ny Vej", "9", "9000") == []
    assert reg.check("Ny Vej", "1000", "9000") == []  # even side is unbounded
    assert codes(reg.check("Ny Vej", "11", "9000")) == [HOUSE_NUMBER_OUT_OF_RANGE]
    assert codes(reg.check("Gammel Vej", "1", "9000")) == [STREET_UNKNOWN]
    assert reg.sample_addresses("851") == [
        ("Ny Vej", "1", "9000", "Aalborg"),
        ("Ny Vej", "2", "9000", "Aalborg"),
    ]
