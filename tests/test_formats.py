"""Import and export formats come from registries; the CLI's help is made from them (#15)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import sorkit
from sorkit import cli
from sorkit.exporters import FORMATS, export
from sorkit.exporters.formats import EXPORT_FORMATS, ExportFormat, find_export_format
from sorkit.importers import import_sor_csv, import_sor_xml
from sorkit.importers.formats import IMPORT_FORMATS, import_format_for


def help_text(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The help of ``sorkit *args`` on one line (wide, so argparse breaks no word)."""
    with pytest.MonkeyPatch.context() as mp, pytest.raises(SystemExit):
        mp.setenv("COLUMNS", "1000")
        cli.main([*args, "--help"])
    return " ".join(capsys.readouterr().out.split())


def test_export_help_lists_every_registered_format(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_text(capsys, "export")
    assert set(EXPORT_FORMATS) == {"parquet", "csv", "fhir", "xml"}
    for fmt in EXPORT_FORMATS.values():
        assert f"{fmt.name}: {fmt.label}" in text
    assert "Parquet, CSV, FHIR eller XML" in text
    assert "fil (csv, fhir, xml)" in text


def test_import_help_lists_every_registered_format(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_text(capsys, "import")
    for fmt in IMPORT_FORMATS.values():
        assert fmt.label in text and "/".join(fmt.suffixes) in text
    assert "importér en SOR-eksport (XML eller CSV) i registret" in help_text(capsys)


def test_formats_constant_and_aliases_come_from_the_registry() -> None:
    assert FORMATS == tuple(EXPORT_FORMATS)
    assert find_export_format(" JSON ").name == "fhir"
    assert find_export_format("XML").name == "xml"
    with pytest.raises(ValueError, match="ukendt eksportformat 'pdf' .*parquet, csv, fhir, xml"):
        find_export_format("pdf")


@pytest.mark.parametrize(
    ("name", "reader"),
    [
        pytest.param("register.xml", import_sor_xml, id="xml"),
        pytest.param("REGISTER.XML", import_sor_xml, id="xml upper case"),
        pytest.param("sor2.csv", import_sor_csv, id="csv"),
        pytest.param("udtraek.txt", import_sor_csv, id="other suffix falls back to csv"),
    ],
)
def test_import_format_is_picked_by_suffix(name: str, reader: object) -> None:
    assert import_format_for(name).read is reader


def test_a_new_export_format_is_one_registry_entry(
    demo: sorkit.Register,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    seen: list[tuple[Path, dt.date | None, bool]] = []

    def write(reg: sorkit.Register, path: Path, day: dt.date | None, include_closed: bool) -> int:
        seen.append((path, day, include_closed))
        path.write_text("\n".join(reg.snapshot().codes()))
        return len(reg.snapshot())

    fmt = ExportFormat("koder", "én SOR-kode pr. linje", "fil", True, write)
    monkeypatch.setitem(EXPORT_FORMATS, "koder", fmt)
    result = export(demo, tmp_path / "koder.txt", format="koder", as_of="2027-01-01")
    assert result.format == "koder" and result.count == len(demo.snapshot())
    assert seen == [(tmp_path / "koder.txt", dt.date(2027, 1, 1), False)]
    assert "koder: én SOR-kode pr. linje" in help_text(capsys, "export")
