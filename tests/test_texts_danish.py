"""Every text a user can see is Danish: no ISO dates, no violation codes, no English words.

Scanned: every string in :mod:`sorkit.texts`, every rule message of the catalogue (filled in with
dates, names and numbers), and every label, placeholder, tooltip, option, tab title and message
of the steward app as the municipal steward sees it (blank forms, a chosen unit, a search).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import ipywidgets as w
import pytest

import sorkit
import sorkit.texts as texts
from sorkit.rules.codes import CATALOGUE
from sorkit.rules.codes import message as message_of
from sorkit.widgets import StewardApp

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
CODE = re.compile(r"\b[A-Z]{2,}(?:_[A-Z]+)+\b")
#: English (and Python) words that must never reach a steward; whole words, case-sensitive
#: where Danish has the same letters in lower case.
DENY = re.compile(
    r"\b(None|True|False|NaN|nan|NaT|steward|sds_admin|reader|Accept|Search|Select|Loading|"
    r"Save|Cancel|Close|Error|Warning|Notice|Submit|Apply|Choose|Results|Details|History|"
    r"role|rolle: )\b"
)
#: Texts that are examples of what the steward types, not Danish prose (SOR code placeholders).
EXEMPT_KEYS = {"search_kind"}


def problems(text: str) -> list[str]:
    """What is wrong with one visible text (empty when it is fine)."""
    found = []
    if ISO_DATE.search(text):
        found.append(f"ISO-dato: {ISO_DATE.search(text).group(0)}")  # type: ignore[union-attr]
    for code in CODE.findall(text):
        if code in CATALOGUE:
            found.append(f"kode: {code}")
    m = DENY.search(text)
    if m:
        found.append(f"engelsk/kode-ord: {m.group(0)}")
    return found


@pytest.mark.parametrize(
    "text,bad",
    [
        ("Datoen 2026-12-08 er for tidlig", True),
        ("Accepter MOVE_OUTSIDE_OWN_ORGANISATION", True),
        ("None (1628171000016006) har intet telefonnummer", True),
        ("Du har ikke rettighed (rolle: steward)", True),
        ("Datoen 08-12-2026 er for tidlig", False),
        ("Accepter: Flytning uden for egen organisation", False),
    ],
)
def test_the_scanner_itself(text: str, bad: bool) -> None:
    assert bool(problems(text)) is bad


def module_texts() -> Iterator[tuple[str, str]]:
    for name in dir(texts):
        value = getattr(texts, name)
        if isinstance(value, str) and name.isupper():
            yield name, value
        elif isinstance(value, dict):
            for key, text in value.items():
                if isinstance(text, str) and key not in EXEMPT_KEYS:
                    yield f"{name}[{key}]", text


def test_every_text_in_sorkit_texts_is_danish() -> None:
    # placeholders ({role}, {date}) are filled in later: scan the words around them
    filled = ((where, re.sub(r"\{[^{}]*\}", "X", text)) for where, text in module_texts())
    bad = {where: problems(text) for where, text in filled if problems(text)}
    assert not bad, bad


SAMPLE = {
    "mailbox": "sor@medcom.dk",
    "user": "kommune",
    "unit": "Tandplejen Blovstrød Skole (1610471000016009)",
    "parent": "Blovstrød Skole (1610491000016003)",
    "date": dt.date(2026, 12, 8),
    "earliest": dt.date(2026, 12, 8),
    "last_day": dt.date(2026, 12, 31),
    "operation": "oprettelse",
    "reason": "enheden lukker før",
    "change_id": "20261201-090000-abc123",
    "problem": "to versioner overlapper",
    "level": "organisatorisk enhed",
    "parent_level": "sundhedsinstitution",
    "length": 61,
    "unit_type": "123",
    "value": "12345678",
    "count": 9,
    "field": "CVR-nummer",
    "character": "linjeskift",
    "kind": "Postadresse",
    "postcode": "3450",
    "street": "Bjarkesvej",
    "suggestions": "Bjarkesvej",
    "house_number": "99",
    "organisation": "Allerød Kommune",
    "children": "Tandplejen Lyngehus Skolen",
    "gln": "5790000123457",
    "units": "Tandplejen Lyngehus Skolen",
    "holder": "Blovstrød Skole (1610491000016003)",
    "period": "08-12-2026 - fremover",
    "missing": "region",
    "edi_type": "XYZ01",
    "row": 7,
    "sor_code": "1610471000016009",
    "other_row": 3,
    "max_closures": 5,
}


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_rule_message_is_danish(code: str) -> None:
    message = message_of(code, SAMPLE)
    assert "{" not in message, message
    assert not problems(message), (code, message)


def visible(widget: Any) -> Iterator[tuple[str, str]]:
    """Every text a widget tree shows: descriptions, placeholders, tooltips, options, values
    of labels and HTML, button texts, tab titles."""
    seen: set[int] = set()
    stack = [widget]
    while stack:
        wd = stack.pop()
        if id(wd) in seen:
            continue
        seen.add(id(wd))
        kind = type(wd).__name__
        for attr in ("description", "placeholder", "tooltip"):
            value = getattr(wd, attr, None)
            if isinstance(value, str) and value:
                yield f"{kind}.{attr}", value
        if isinstance(wd, w.HTML | w.Label | w.HTMLMath):
            yield f"{kind}.value", re.sub(r"<[^>]+>", " ", wd.value)
        if isinstance(wd, w.Text | w.Textarea | w.Combobox) and wd.disabled:
            yield f"{kind}.value", wd.value
        for label in getattr(wd, "_options_labels", ()) or ():
            yield f"{kind}.option", label
        if isinstance(wd, w.Tab):
            for i in range(len(wd.children)):
                yield "Tab.title", wd.get_title(i)
        if hasattr(wd, "children"):
            stack.extend(wd.children)
        nodes = getattr(wd, "nodes", None)
        if nodes:
            stack.extend(nodes)
            for node in nodes:
                yield "Node.name", str(getattr(node, "name", ""))


def test_the_app_as_kommune_shows_only_danish(demo: sorkit.Register) -> None:
    reg = demo.as_user("kommune")
    app = StewardApp(reg)
    texts_seen = list(visible(app))  # blank forms
    tp = reg.search("Allerød Kommunes Tandpleje").sor_code.iloc[0]
    app.controls["quick_search"].value = tp  # a unit chosen: details, forms, findings
    texts_seen += list(visible(app))
    app.show_tab("history")
    texts_seen += list(visible(app))
    app.controls["quick_search"].value = "*skole*"  # a result table
    texts_seen += list(visible(app))
    bad = [(where, text, problems(text)) for where, text in texts_seen if problems(text)]
    assert not bad, bad[:10]
    assert len(texts_seen) > 300
