"""The violation catalogue: every code with its severity, operations and Danish message.

Codes are stable identifiers (rules.md §4): tests assert codes, never message text. Messages are
``str.format`` templates over the violation's ``details``; a missing detail leaves the template
text readable rather than failing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

ERROR = "error"
WARNING = "warning"
#: Shown to the steward and recorded in the audit, never blocking, nothing to accept (rules.md §4).
NOTICE = "notice"


@dataclass(frozen=True)
class CodeInfo:
    """A catalogue entry."""

    code: str
    severity: str
    operations: tuple[str, ...]
    template: str


@dataclass(frozen=True)
class Violation:
    """One finding of a rule about one change (and one unit)."""

    code: str
    severity: str
    message: str
    sor_code: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def is_error(self) -> bool:
        """True for errors (which nothing can override)."""
        return self.severity == ERROR

    @property
    def is_warning(self) -> bool:
        """True for warnings (which block until accepted with a reason)."""
        return self.severity == WARNING

    @property
    def is_notice(self) -> bool:
        """True for notices (the guide's "OBS": shown and recorded, never blocking)."""
        return self.severity == NOTICE

    def blocks(self, accept: Any = ()) -> bool:
        """True when this finding stops an apply given the accepted warning codes."""
        return self.is_error or (self.is_warning and self.code not in accept)


_ALL = ("create", "edit", "move", "close", "location_number")
_C, _E, _M, _X, _L = ("create",), ("edit",), ("move",), ("close",), ("location_number",)
_CE = ("create", "edit")
_CEL = ("create", "edit", "location_number")
_CEM = ("create", "edit", "move")
_CEML = ("create", "edit", "move", "location_number")
_UNIT = ("edit", "move", "close", "location_number")

_ENTRIES: list[tuple[str, str, tuple[str, ...], str]] = [
    # General
    (
        "PERMISSION_DENIED",
        ERROR,
        _ALL,
        "Du ({user}) har ikke rettighed til at ændre {unit} pr. {date}.",
    ),
    ("UNIT_NOT_FOUND", ERROR, _ALL, "Der findes ingen enhed med SOR-kode {unit}."),
    (
        "UNIT_CLOSED",
        ERROR,
        _UNIT,
        "{unit} er lukket pr. {date}. Lukkede enheder kan ikke genåbnes eller ændres.",
    ),
    (
        "EFFECTIVE_AFTER_CLOSE",
        ERROR,
        _UNIT,
        "Datoen {date} strider mod enhedens lukning (sidste gyldige dag {last_day}): {reason}.",
    ),
    (
        "DATE_TOO_EARLY",
        ERROR,
        _ALL,
        "Datoen {date} er for tidlig: {operation} kan tidligst have virkning fra {earliest}.",
    ),
    (
        "CONCURRENT_CHANGE",
        ERROR,
        _ALL,
        "{unit} er blevet ændret af en anden, siden du læste den. Genindlæs og prøv igen.",
    ),
    ("CHANGE_NOT_FOUND", ERROR, ("cancel",), "Der findes ingen ændring med id {change_id}."),
    (
        "CANCEL_NOT_PENDING",
        ERROR,
        ("cancel",),
        "Ændringen {change_id} har allerede virkning ({date}) og kan ikke annulleres.",
    ),
    (
        "CANCEL_BREAKS_TIMELINE",
        ERROR,
        ("cancel",),
        "Ændringen {change_id} kan ikke annulleres, fordi senere ændringer bygger på den: {problem}",
    ),
    (
        "REGISTER_GUARANTEE_BROKEN",
        ERROR,
        _ALL,
        "Ændringen ville bryde registrets garantier: {problem}",
    ),
    # Create
    (
        "PARENT_NOT_ACTIVE",
        ERROR,
        _C,
        "Den overliggende enhed {parent} er ikke aktiv pr. {date} eller lukker før den nye enhed.",
    ),
    (
        "PARENT_LEVEL_INVALID",
        ERROR,
        ("create", "move"),
        "En {level} kan ikke ligge under {parent} ({parent_level}).",
    ),
    ("NAME_REQUIRED", ERROR, _CE, "Navn skal udfyldes."),
    ("NAME_TOO_LONG", ERROR, _CE, "Navnet er {length} tegn; højst 60 tegn er tilladt."),
    ("UNIT_TYPE_REQUIRED", ERROR, _CE, "Vælg en enhedstype."),
    (
        "UNIT_TYPE_UNKNOWN",
        ERROR,
        _CE,
        "Enhedstypen {unit_type} findes ikke på enhedstypelisten for niveau {level}.",
    ),
    (
        "PHONE_REQUIRED",
        ERROR,
        _CEM,
        "{unit} har intet telefonnummer pr. {date}. Telefonnummer er obligatorisk (også når de "
        "elektroniske adresser nedarves).",
    ),
    (
        "PHONE_INVALID",
        ERROR,
        _CE,
        "Telefonnummeret '{value}' er ugyldigt: 8-20 tegn, cifre og mellemrum, evt. med + foran.",
    ),
    ("EMAIL_INVALID", ERROR, _CE, "E-mailadressen '{value}' er ugyldig."),
    ("WEBSITE_INVALID", ERROR, _CE, "Hjemmesiden '{value}' er ugyldig."),
    (
        "LOCAL_ATTRIBUTE_TOO_LONG",
        ERROR,
        _CE,
        "Den lokale attribut '{value}' er {length} tegn; højst 20 tegn er tilladt.",
    ),
    ("LOCAL_ATTRIBUTES_TOO_MANY", ERROR, _CE, "Der er {count} lokale attributter; højst 5."),
    ("SPECIALITIES_TOO_MANY", ERROR, _CE, "Der er {count} kliniske specialer; højst 8."),
    ("IDENTIFIER_INVALID", ERROR, _CE, "{field} '{value}' kan ikke bruges: {reason}."),
    (
        "SPECIALITY_UNKNOWN",
        ERROR,
        _CE,
        "Det kliniske speciale '{value}' findes ikke på listen over specialer (SNOMED CT-koder).",
    ),
    (
        "TEXT_INVALID_CHARACTERS",
        ERROR,
        _CEL,
        "{field} indeholder et tegn ({character}), der ikke kan gemmes i SOR, fx et linjeskift "
        "eller et kontroltegn.",
    ),
    (
        "PUBLIC_INFORMATION",
        NOTICE,
        _CE,
        "OBS: Elektroniske adresser er borgervendte. Brug kun oplysninger, der må være offentlige.",
    ),
    # Addresses
    ("ADDRESS_POSTCODE_UNKNOWN", ERROR, _CE, "{kind}: postnummeret {postcode} findes ikke."),
    (
        "ADDRESS_STREET_UNKNOWN",
        ERROR,
        _CE,
        "{kind}: vejnavnet '{street}' findes ikke i postnummer {postcode}. Mente du: {suggestions}?",
    ),
    (
        "ADDRESS_HOUSE_NUMBER_OUT_OF_RANGE",
        ERROR,
        _CE,
        "{kind}: husnummer {house_number} findes ikke på {street} i postnummer {postcode}.",
    ),
    (
        "ADDRESS_NOT_VALIDATED",
        NOTICE,
        _CE,
        "{kind}: adressen er ikke valideret mod adresseregistret (udelad adressevalidering).",
    ),
    (
        "ADDRESS_REGISTER_NO_COVERAGE",
        WARNING,
        _CE,
        "{kind}: adresseregistret har ingen veje for postnummer {postcode}; vejen er ikke kontrolleret.",
    ),
    # Move
    ("MOVE_SAME_PARENT", ERROR, _M, "{parent} er allerede overliggende enhed pr. {date}."),
    (
        "MOVE_INTO_OWN_SUBTREE",
        ERROR,
        _M,
        "{unit} kan ikke flyttes ind under sig selv eller en af sine underliggende enheder ({parent}).",
    ),
    (
        "MOVE_BACK_TO_FORMER_PARENT",
        ERROR,
        _M,
        "{unit} har tidligere ligget under {parent}; en enhed kan ikke flyttes tilbage igen. "
        "Kontakt SOR-support (sorpost@sundhedsdata.dk).",
    ),
    (
        "MOVE_TARGET_NOT_ACTIVE",
        ERROR,
        _M,
        "Den nye overliggende enhed {parent} er ikke aktiv pr. {date} eller lukker, mens enheden "
        "er åben.",
    ),
    (
        "MOVE_OUTSIDE_OWN_ORGANISATION",
        WARNING,
        _M,
        "OBS: {parent} ligger uden for {organisation}. Det kan lade sig gøre, men sker ofte ved en "
        "fejl. Er enheden flyttet ved et uheld, så kontakt SOR-teamet (sorpost@sundhedsdata.dk).",
    ),
    # Close
    (
        "CLOSE_NOT_CONFIRMED",
        ERROR,
        _X,
        "Bekræft lukningen af {unit} (lukkede enheder kan ikke genåbnes).",
    ),
    (
        "CLOSE_HAS_OPEN_CHILDREN",
        ERROR,
        _X,
        "{unit} har {count} underliggende enheder, der er åbne efter {last_day}: {children}. Luk dem "
        "først, eller luk hele grenen.",
    ),
    (
        "CLOSE_ENDS_LOCATION_NUMBER",
        NOTICE,
        _X,
        "Lokationsnummeret {gln} lukkes sammen med {unit} ({last_day}).",
    ),
    (
        "CLOSE_ENDS_INHERITED_LOCATION_NUMBER",
        NOTICE,
        _X,
        "{count} enheder nedarver lokationsnummeret {gln} og mister det: {units}.",
    ),
    # Location numbers
    (
        "GLN_INVALID",
        ERROR,
        _CEL,
        "Lokationsnummeret '{gln}' er ugyldigt: 13 cifre med gyldigt kontrolciffer (GS1).",
    ),
    ("GLN_NOT_DANISH", WARNING, _CEL, "Lokationsnummeret {gln} begynder ikke med 579."),
    (
        "GLN_IN_USE",
        ERROR,
        _CEL,
        "Lokationsnummeret {gln} bruges allerede af {holder} i perioden {period}.",
    ),
    ("GLN_EDI_FIELDS_REQUIRED", ERROR, _CEL, "Udfyld {missing} for lokationsnummeret."),
    (
        "GLN_NO_EDI_TYPES",
        WARNING,
        _CEL,
        "Lokationsnummeret {gln} har ingen EDI-typer; de skal tildeles til kommunikation.",
    ),
    ("GLN_EDI_TYPE_UNKNOWN", WARNING, _CEL, "EDI-typen {edi_type} findes ikke på MedComs liste."),
    (
        "GLN_INHERIT_WITHOUT_PARENT_GLN",
        ERROR,
        _CEML,
        "{unit} nedarver lokationsnummer, men den overliggende enhed {parent} har intet "
        "lokationsnummer pr. {date} at nedarve.",
    ),
    (
        "GLN_INACTIVE",
        WARNING,
        _CEL,
        "Lokationsnummeret {gln} er markeret 'ikke aktivt' (skjult uden at være lukket).",
    ),
    (
        "GLN_RANGE_EXHAUSTED",
        ERROR,
        _CEL,
        "Der kan ikke gives et nyt lokationsnummer: {problem}. En SDS-administrator kan "
        "udvide registrets GS1-nummerområde, eller et ledigt nummer kan tastes ind.",
    ),
    (
        "GLN_MUNICIPAL_CONTACT_MEDCOM",
        WARNING,
        _CEL,
        "Kommunale brugere skal altid kontakte MedCom ved oprettelse eller ændring af "
        "lokationsnumre (MedComs SOR-postkasse: {mailbox}). Skriv aftalen med MedCom som "
        "begrundelse for at gemme.",
    ),
    (
        "GLN_CODE_UNKNOWN",
        WARNING,
        _CEL,
        "{field} {value} er ikke en kendt kode (ukendt kode); kontrollér den, før du gemmer.",
    ),
    # Batch
    ("BATCH_ROW_INVALID", ERROR, ("batch",), "Række {row}: {problem}"),
    (
        "BATCH_TOO_MANY_CLOSURES",
        ERROR,
        ("batch",),
        "Planen lukker {count} enheder; højst {max_closures} er tilladt.",
    ),
    (
        "BATCH_DUPLICATE_ROW",
        ERROR,
        ("batch",),
        "Række {row}: {sor_code} ændres også i række {other_row} på en måde, der strider imod.",
    ),
]

CATALOGUE: dict[str, CodeInfo] = {
    code: CodeInfo(code, sev, ops, template) for code, sev, ops, template in _ENTRIES
}


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def message(code: str, details: dict[str, Any]) -> str:
    """The Danish message of ``code`` filled in from ``details`` (dates as dd-mm-åååå)."""
    template = CATALOGUE[code].template
    shown = {k: _shown(v) for k, v in details.items()}
    return template.format_map(_Lenient(shown))


def _shown(value: Any) -> Any:
    """A detail as a person reads it: dates dd-mm-åååå (details keep the date itself)."""
    if isinstance(value, dt.date):
        return value.strftime("%d-%m-%Y")
    return value


def violation(code: str, sor_code: str | None = None, **details: Any) -> Violation:
    """Make a violation of a catalogued code, with its severity and Danish message.

    Raises:
        KeyError: the code is not in the catalogue.
    """
    info = CATALOGUE[code]
    return Violation(code, info.severity, message(code, details), sor_code, dict(details))
