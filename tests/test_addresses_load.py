"""``sorkit addresses load``: every supported format, refusals naming the line, atomic swap (#22)."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest

from sorkit import cli
from sorkit.addresses import HOUSE_NUMBER_OUT_OF_RANGE, STREET_UNKNOWN, AddressRegister
from sorkit.addresses.files import loaded_path
from sorkit.addresses.formats import RegisterFileError, detect_format, read_register


@pytest.fixture
def address_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "vejregister"
    monkeypatch.setenv("SORKIT_ADDRESS_DIR", str(folder))
    return folder


def _house(number: int | None, letter: str = "") -> str:
    return "    " if number is None else f"{number:03d}{letter or ' '}"


def cpr370712(rows: list[tuple], date: str = "20260115") -> bytes:
    """A 370712 file: rows (kom, vej, street, from, to, side, postcode, district)."""
    lines = [f"000370712{date}"]
    for kom, vej, street, lo, hi, side, pc, district in rows:
        lines.append(
            f"001{kom:04d}{vej:04d}{'Testkommune':<20}{street:<20}{_house(*lo)}{_house(*hi)}"
            f"{side}{pc}{district:<20}"
        )
    lines.append(f"999{len(rows):08d}")
    return ("\r\n".join(lines) + "\r\n").encode("latin-1")


ROWS_370712 = [
    (201, 9001, "Nyvej", (2, ""), (40, ""), "L", "3450", "Allerød"),
    (201, 9001, "Nyvej", (1, ""), (39, "B"), "U", "3450", "Allerød"),
    (201, 9002, "Borgm Nielsensvej", (None,), (998, ""), "L", "3450", "Allerød"),
    (851, 12, "Østerågade", (1, ""), (99, ""), "U", "9000", "Aalborg"),
]


def cpr_a370715(date: str = "20260201") -> bytes:
    stamp = "202601011200"
    road = "001{kom:04d}{vej:04d}{stamp}{z}{z}{z}{z}{stamp}{short:<20}{name:<40}"
    post = "004{kom:04d}{vej:04d}{lo}{hi}{side}{stamp}{pc}{district:<20}"
    lines = [
        f"000A370715{date}",
        road.format(
            kom=201,
            vej=9003,
            stamp=stamp,
            z="0000",
            short="Dr Ingrids Vej",
            name="Dronning Ingrids Vej",
        ),
        "002020190030010 some dwelling record that is skipped",
        post.format(
            kom=201,
            vej=9003,
            lo="002 ",
            hi="020 ",
            side="L",
            stamp=stamp,
            pc="3450",
            district="Allerød",
        ),
        post.format(
            kom=201,
            vej=9003,
            lo="001 ",
            hi="019 ",
            side="U",
            stamp=stamp,
            pc="3450",
            district="Allerød",
        ),
        "999000000004",
    ]
    return ("\n".join(lines) + "\n").encode("latin-1")


DAWA_RANGES = (
    "kommunekode;vejkode;vejnavn;adresseringsvejnavn;husnrfra;husnrtil;side;postnr;postnrnavn\n"
    "0201;9004;Kongsdalsvej;Kongsdalsvej;1;21;U;3450;Allerød\n"
    "0201;9004;Kongsdalsvej;Kongsdalsvej;2;;L;3450;Allerød\n"
)
DAWA_POINTS = (
    "id,vejkode,vejnavn,adresseringsvejnavn,husnr,postnr,postnrnavn,kommunekode\n"
    "a,9005,Lindegårdsvej,Lindegårdsvej,1,3450,Allerød,0201\n"
    "b,9005,Lindegårdsvej,Lindegårdsvej,3,3450,Allerød,0201\n"
    "c,9005,Lindegårdsvej,Lindegårdsvej,5A,3450,Allerød,0201\n"
    "d,9005,Lindegårdsvej,Lindegårdsvej,11,3450,Allerød,0201\n"
    "e,9005,Lindegårdsvej,Lindegårdsvej,4,3450,Allerød,0201\n"
)


def load(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    code = cli.main(["addresses", "load", str(path), *extra])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_load_cpr_370712_replaces_the_register(address_dir, tmp_path, capsys):
    source = tmp_path / "postreg.txt"
    source.write_bytes(cpr370712(ROWS_370712))
    assert detect_format(source.read_bytes()) == "cpr370712"
    code, out, err = load(source, capsys)
    assert code == 0, err
    assert "Vejregister pr. 15-01-2026 indlæst: 4 husnummerintervaller" in out
    assert loaded_path().is_file() and loaded_path().parent == address_dir
    reg = AddressRegister.default()
    assert reg.info.date == dt.date(2026, 1, 15) and reg.info.fmt == "cpr370712"
    assert reg.check("Nyvej", "40", "3450") == []
    assert reg.check("Nyvej", "39B", "3450") == []
    assert [p.code for p in reg.check("Nyvej", "39C", "3450")] == [HOUSE_NUMBER_OUT_OF_RANGE]
    assert reg.check("Borgmester Nielsens Vej", "998", "3450") == []  # open lower bound
    assert reg.check("Østerågade", "1", "9000") == []
    assert [p.code for p in reg.check("Bjarkesvej", "2", "3450")] == [STREET_UNKNOWN]
    assert cli.main(["addresses", "status"]) == 0
    status = capsys.readouterr()
    assert "Vejregister pr. 15-01-2026 (cpr370712, postreg.txt), indlæst" in status.out


def test_load_zipped_370712_and_a_date_given_on_the_command_line(address_dir, tmp_path, capsys):
    source = tmp_path / "postreg.zip"
    with zipfile.ZipFile(source, "w") as archive:
        archive.writestr("cprPostregister.txt", cpr370712(ROWS_370712, date="        "))
    code, out, err = load(source, capsys, "--date", "2026-03-01")
    assert code == 0, err
    assert AddressRegister.default().info.date == dt.date(2026, 3, 1)


def test_load_cpr_a370715_uses_the_full_names(address_dir, tmp_path, capsys):
    source = tmp_path / "vejreg.txt"
    source.write_bytes(cpr_a370715())
    code, out, err = load(source, capsys)
    assert code == 0, err
    reg = AddressRegister.default()
    assert reg.info.fmt == "cpr-a370715" and reg.info.date == dt.date(2026, 2, 1)
    assert reg.streets("3450") == ["Dronning Ingrids Vej"]
    assert reg.check("Dronning Ingrids Vej", "20", "3450") == []
    assert reg.check("Dr Ingrids Vej", "19", "3450") == []  # the addressing name
    assert [p.code for p in reg.check("Dr Ingrids Vej", "21", "3450")] == [
        HOUSE_NUMBER_OUT_OF_RANGE
    ]


@pytest.mark.parametrize("text", [DAWA_RANGES, DAWA_POINTS])
def test_load_dawa_csv(address_dir, tmp_path, capsys, text):
    source = tmp_path / "dawa.csv"
    source.write_text(text, encoding="utf-8")
    code, out, err = load(source, capsys, "--date", "2026-11-30")
    assert code == 0, err
    reg = AddressRegister.default()
    assert reg.info.fmt == "dawa-csv" and reg.info.date == dt.date(2026, 11, 30)
    assert reg.city("3450") == "Allerød"
    if "Kongsdalsvej" in text:
        assert reg.check("Kongsdalsvej", "21", "3450") == []
        assert reg.check("Kongsdalsvej", "1000", "3450") == []  # even side open upwards
        assert reg.check("Kongsdalsvej", "23", "3450") != []
    else:
        assert reg.check("Lindegårdsvej", "5A", "3450") == []
        assert reg.check("Lindegaardsvej", "3", "3450") == []
        assert reg.check("Lindegårdsvej", "4", "3450") == []
        assert reg.check("Lindegårdsvej", "9", "3450") != []  # 5A and 11 are not one run
        assert reg.check("Lindegårdsvej", "2", "3450") != []


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        (cpr370712(ROWS_370712).replace(b"3450Aller", b"34X0Aller", 1), "linje 2", "postnummer"),
        (cpr370712(ROWS_370712).replace(b"0201900", b"020A900", 1), "linje 2", "kommunekode"),
        (cpr370712(ROWS_370712)[:-13] + b"99900000009\r\n", "linje 6", "slutposten"),
        (cpr_a370715().replace(b"004020190030", b"004020190070", 1), "linje 4", "uden vejpost"),
        (DAWA_RANGES.replace("1;21;U", "1;2x1;U").encode(), "linje 2", "husnummerinterval"),
        (
            DAWA_POINTS.replace(",3450,Allerød,0201\nd", ",345,Allerød,0201\nd").encode(),
            "linje 4",
            "postnummer",
        ),
        (b"kommunekode;vejkode;postnr\n0201;1;3450\n", "linje 1", "kolonner mangler"),
    ],
)
def test_a_malformed_file_is_refused_with_its_line_and_the_old_register_stays(
    address_dir, tmp_path, capsys, content, line, words
):
    good = tmp_path / "good.txt"
    good.write_bytes(cpr370712(ROWS_370712))
    assert load(good, capsys)[0] == 0
    before = loaded_path().read_bytes()
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    code, out, err = load(bad, capsys)
    assert code == 1
    assert "ikke indlæst" in err and line in err and words in err, err
    assert loaded_path().read_bytes() == before
    assert AddressRegister.default().check("Nyvej", "40", "3450") == []
    assert [p.name for p in address_dir.iterdir()] == ["vejregister.npz"]  # no leftovers


def test_every_bad_line_is_named(tmp_path):
    rows = [*ROWS_370712, (201, 9009, "Fejlvej", (5, ""), (3, ""), "U", "3450", "Allerød")]
    data = cpr370712(rows).replace(b"9000Aalborg", b"90O0Aalborg")
    source = tmp_path / "bad.txt"
    source.write_bytes(data)
    with pytest.raises(RegisterFileError) as info:
        read_register(source)
    assert info.value.problems == [
        "linje 5: postnummer er ikke fire cifre: '90O0'",
        "linje 6: husnummer til ligger før fra: '005 003 '",
    ]


def test_without_a_loaded_register_the_shipped_one_is_used(address_dir, capsys):
    assert not loaded_path().exists()
    reg = AddressRegister.default()
    assert reg.info.fmt == "cpr370712" and reg.info.date == dt.date(2015, 2, 2)
    assert cli.main(["addresses", "status"]) == 0
    out = capsys.readouterr()
    assert out.out.startswith("Vejregister pr. 02-02-2015")
    assert "mere end et år gammelt" in out.err


def test_check_shows_the_register_and_warns_when_it_is_old(demo, address_dir, capsys):
    demo.store.release()
    code = cli.main(["check", "--register", str(demo.path)])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "Vejregister pr. 02-02-2015" in out.out
    assert "mere end et år gammelt" in out.err
