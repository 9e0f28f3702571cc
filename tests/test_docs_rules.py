"""docs/rules.md is generated from the registry and the catalogue, and every code is checked."""

from __future__ import annotations

import re
from pathlib import Path

from sorkit.changes import CHANGE_TYPES
from sorkit.rules import CATALOGUE, REGISTRY, _load_rule_modules
from sorkit.rules.catalogue import BATCH_CODES, ENGINE_CODES, checked_by, render, unchecked_codes

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT.parent / "shared" / "spec" / "rules.md"


def test_docs_rules_is_current() -> None:
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert text == render(), (
        "docs/rules.md is stale: python -m sorkit.rules.catalogue > docs/rules.md"
    )


def test_every_catalogued_code_is_checked() -> None:
    assert unchecked_codes() == []
    for code in CATALOGUE:
        if code not in BATCH_CODES and code not in ENGINE_CODES:
            assert checked_by(code), code


def test_docs_list_every_code_batch_included() -> None:
    text = render()
    for code in CATALOGUE:
        assert f"| `{code}` |" in text, code
    assert BATCH_CODES and all(f"`{c}`" in text for c in BATCH_CODES)


def test_rule_operations_agree_with_the_catalogue() -> None:
    _load_rule_modules()
    for rule in REGISTRY.values():
        ops = {t.operation for t in rule.applies_to if t in CHANGE_TYPES}
        for code in rule.codes:
            assert ops <= set(CATALOGUE[code].operations), (rule.name, code, ops)


def test_catalogue_holds_every_code_of_the_spec() -> None:
    # The shared spec's §4 tables (the contract); the frozen list below is what it held when
    # this catalogue was written, so the test means the same without the shared folder.
    frozen = {
        "PERMISSION_DENIED", "UNIT_NOT_FOUND", "UNIT_CLOSED", "EFFECTIVE_AFTER_CLOSE",
        "DATE_TOO_EARLY", "CONCURRENT_CHANGE", "PARENT_NOT_ACTIVE", "PARENT_LEVEL_INVALID",
        "NAME_REQUIRED", "NAME_TOO_LONG", "UNIT_TYPE_REQUIRED", "UNIT_TYPE_UNKNOWN",
        "PHONE_REQUIRED", "PHONE_INVALID", "EMAIL_INVALID", "WEBSITE_INVALID",
        "LOCAL_ATTRIBUTE_TOO_LONG", "LOCAL_ATTRIBUTES_TOO_MANY", "SPECIALITIES_TOO_MANY",
        "IDENTIFIER_INVALID", "PUBLIC_INFORMATION", "ADDRESS_POSTCODE_UNKNOWN",
        "ADDRESS_STREET_UNKNOWN", "ADDRESS_HOUSE_NUMBER_OUT_OF_RANGE", "ADDRESS_NOT_VALIDATED",
        "ADDRESS_REGISTER_NO_COVERAGE", "MOVE_SAME_PARENT", "MOVE_INTO_OWN_SUBTREE",
        "MOVE_BACK_TO_FORMER_PARENT", "MOVE_TARGET_NOT_ACTIVE", "MOVE_OUTSIDE_OWN_ORGANISATION",
        "CLOSE_NOT_CONFIRMED", "CLOSE_HAS_OPEN_CHILDREN", "CLOSE_ENDS_LOCATION_NUMBER",
        "CLOSE_ENDS_INHERITED_LOCATION_NUMBER", "GLN_INVALID", "GLN_NOT_DANISH", "GLN_IN_USE",
        "GLN_EDI_FIELDS_REQUIRED", "GLN_NO_EDI_TYPES", "GLN_EDI_TYPE_UNKNOWN",
        "GLN_INHERIT_WITHOUT_PARENT_GLN", "GLN_INACTIVE", "GLN_RANGE_EXHAUSTED",
        "GLN_MUNICIPAL_CONTACT_MEDCOM", "BATCH_ROW_INVALID",
        "BATCH_TOO_MANY_CLOSURES", "BATCH_DUPLICATE_ROW",
    }  # fmt: skip
    spec = dict.fromkeys(frozen, "")
    if SPEC.exists():
        section = SPEC.read_text(encoding="utf-8").split("## 4.")[1].split("## 5.")[0]
        spec = {}
        for line in section.splitlines():
            m = re.match(r"\| ([A-Z_ /]+) \| (error|warning|notice) \|", line)
            if m:
                spec.update(dict.fromkeys(m.group(1).split(" / "), m.group(2)))
        assert set(spec) == frozen
    assert set(spec) <= set(CATALOGUE), sorted(set(spec) - set(CATALOGUE))
    for code, severity in spec.items():
        assert CATALOGUE[code].severity == (severity or CATALOGUE[code].severity), code
    assert CATALOGUE["MOVE_OUTSIDE_OWN_ORGANISATION"].severity == "warning"
    assert CATALOGUE["PUBLIC_INFORMATION"].severity == "notice"
