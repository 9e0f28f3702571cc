"""Every Danish text the user interface shows, in one place (code stays English).

Widgets, reports and readable tables take their labels from here, so wording is changed once.
"""

from __future__ import annotations

LEVEL_LABELS = {
    "IE": "Institutionsejer",
    "SI": "Sundhedsinstitution",
    "OE": "Organisatorisk enhed",
}

STATUS_LABELS = {
    "active": "aktiv",
    "future": "fremtidig",
    "closing": "lukker",
    "closed": "lukket",
}

OPERATION_LABELS = {
    "create": "Opret",
    "import": "Import",
    "edit": "Rediger",
    "move": "Flyt",
    "close": "Luk",
    "location_number": "Lokationsnummer",
    "cancel": "Annuller",
}

FIELD_LABELS = {
    "sor_code": "SOR-kode",
    "level": "Niveau",
    "parent": "Overliggende enhed",
    "name": "Navn",
    "unit_type": "Enhedstype",
    "postal_address": "Postadresse",
    "visiting_address": "Besøgsadresse",
    "activity_address": "Aktivitetsadresse",
    "inherit_electronic": "Nedarv elektroniske adresser",
    "phone": "Telefon",
    "email": "E-mail",
    "website": "Hjemmeside",
    "fax": "Fax",
    "location_number": "Lokationsnummer",
    "inherit_location_number": "Nedarv lokationsnummer",
    "local_attributes": "Lokale attributter",
    "specialities": "Kliniske specialer",
    "shak": "SHAK-kode",
    "ydernummer": "Ydernummer",
    "pharmacy_id": "Apoteksnummer",
    "cvr": "CVR-nummer",
    "p_number": "P-nummer",
    "local_code": "Lokalkode",
    "replaces": "Erstatter",
    "replaced_by": "Erstattet af",
    "valid_from": "Gældende fra",
    "last_day": "Gældende til og med",
    "status": "Status",
    "path": "Placering",
}

LOCATION_NUMBER_LABELS = {
    "gln": "Lokationsnummer",
    "region": "Region",
    "edb_system": "EDB-system",
    "system_supplier": "Systemleverandør",
    "net_operator": "Netoperatør",
    "administrator": "Administrator",
    "only_internal": "Kun internt brug",
    "inactive": "Ikke aktivt",
    "edi_types": "EDI-typer",
    "note": "Note",
}

INHERITED_FROM = "nedarvet fra {name} ({sor_code})"
BUSY = "Registret er optaget af en anden bruger eller kørsel. Prøv igen om lidt."

#: The steward app (sorkit.widgets): labels, buttons and messages, keyed by a stable name.
WIDGET_TEXTS = {
    "tabs_details": "Detaljer",
    "tabs_history": "Historik",
    "tabs_create": "Opret OE",
    "tabs_edit": "Rediger OE",
    "tabs_move": "Flyt OE",
    "tabs_close": "Luk OE",
    "tabs_location": "Lokationsnummer",
    "tabs_search": "Søg",
    "only_mine": "Kun mine enheder",
    "show_closed": "Vis lukkede enheder",
    "as_of": "Vis pr. dato",
    "quick_search": "Hurtigsøg",
    "quick_placeholder": "Navn, *del af navn* eller SOR-kode",
    "quick_results": "Resultater",
    "no_unit": "Vælg en enhed i træet.",
    "loading": "indlæser …",
    "status_future": "fra {date}",
    "status_closing": "lukker efter {date}",
    "status_closed": "lukket {date}",
    "parent": "Opret under",
    "unit": "Enhed",
    "valid_from": "Gældende fra",
    "effective_from": "Gældende fra",
    "last_day": "Gældende til og med",
    "date_text": "({date})",
    "postal_inherit": "Arv fra overliggende enhed",
    "visiting_same": "Som postadresse",
    "activity_same": "Som besøgsadresse",
    "street": "Vejnavn",
    "house_number": "Husnr.",
    "floor": "Etage",
    "door": "Dør",
    "postcode": "Postnr.",
    "skip_validation": "Udelad adressevalidering",
    "electronic": "Elektroniske adresser",
    "inherit_electronic": "Arv fra overliggende enhed",
    "public_note": "OBS: Oplysningerne er borgervendte. Brug kun oplysninger, som må være "
    "offentligt tilgængelige. Telefonnummer er obligatorisk.",
    "location_mode": "Lokationsnummer",
    "location_own": "Eget lokationsnummer",
    "location_inherit": "Nedarv fra overliggende enhed",
    "location_none": "Intet lokationsnummer",
    "local_attributes": "Lokale attributter (højst 20 tegn hver; udfyldes som udgangspunkt ikke)",
    "local_attribute": "Attribut {n}",
    "reason": "Begrundelse for ændringen",
    "accept": "Accepter",
    "accept_reason": "Begrundelse for at acceptere",
    "create": "Opret",
    "save": "Gem ændringer",
    "move": "Flyt til ny overliggende enhed",
    "close": "Luk enhed",
    "confirm": "OK",
    "cancel": "Fortryd",
    "save_location": "Gem",
    "new_parent": "Ny overliggende enhed (SOR-kode)",
    "pick": "Vælg i træet",
    "pick_help": "Klik på den nye overliggende enhed i træet.",
    "cascade": "Luk også alle underliggende enheder",
    "close_note": "OBS: Lukkede enheder kan ikke genåbnes. Har enheden et lokationsnummer, lukkes "
    "det sammen med enheden.",
    "confirm_question": "Vil du lukke {unit} med sidste gyldige dag {date}?",
    "confirm_subtree": "Lukkes samtidig: {units}.",
    "confirm_location": "Lokationsnummeret {gln} lukkes sammen med enheden.",
    "no_errors": "Ingen fejl.",
    "errors": "Fejl",
    "warnings": "Advarsler",
    "applied": "Ændringen {change_id} er gemt og træder i kraft {date}.",
    "applied_close": "Lukningen {change_id} er gemt; sidste gyldige dag er {date}.",
    "rejected": "Ændringen blev afvist:",
    "nothing_changed": "Ingen felter er ændret.",
    "choose_unit": "Vælg først en enhed.",
    "invalid_code": "'{value}' er ikke en gyldig SOR-kode.",
    "pending": "Ventende ændringer",
    "no_pending": "Ingen ventende ændringer.",
    "own_value": "egen værdi",
    "history_title": "Historik for {name} ({sor_code})",
    "include_cancelled": "Vis annullerede ændringer",
    "search_text": "Navn/fritekst",
    "search_under": "Enheder under SOR-kode",
    "search_type": "Enhedstype",
    "search_level": "Niveau",
    "search_closed": "Medtag lukkede",
    "search_button": "Søg",
    "search_count": "{count} enheder fundet.",
    "search_none": "Ingen enheder fundet.",
    "search_pick": "Vælg enhed",
    "any": "(alle)",
    "choose": "(vælg)",
    "earliest": "Tidligst {date}.",
}

#: Batch reorganisations (sorkit.batch): row status and the refusals a steward reads.
BATCH_STATUS = {"ok": "ok", "accepted": "accepteret", "warning": "advarsel", "error": "fejl"}
BATCH_TEXTS = {
    "already_applied": (
        "Planen er allerede gennemført som {batch_id} den {at:%d-%m-%Y kl. %H:%M} af {by}. "
        "Den gennemføres ikke igen; ret planen, hvis der skal laves nye ændringer."
    ),
    "rejected": "Planen blev ikke gennemført (intet er skrevet):",
    "rejected_after_change": (
        "Registret er ændret siden planen blev kontrolleret, og planen holder ikke længere "
        "(intet er skrevet):"
    ),
    "empty": "Planen indeholder ingen ændringer.",
}

#: The sorkit command line (sorkit.cli): what it prints.
CLI_TEXTS = {
    "bad_date": "'{value}' er ikke en dato (ÅÅÅÅ-MM-DD)",
    "bad_pair": "'{value}' skal skrives som navn=værdi",
    "no_register": "Registret {path} findes ikke. Byg demo-registret med 'sorkit demo' eller angiv --register.",
    "no_file": "Filen {path} findes ikke.",
    "demo_exists": "{path} findes allerede og er ikke tom; bygger ikke igen.",
    "demo_built": "Byggede {path}: {units} enheder, {pending} ventende ændringer (i dag = {today}).",
    "import_dry": "Prøveimport af {source} i {path} (intet skrevet): {what}",
    "import_done": "Importerede {source} i {path}: {what}",
    "import_complete": (
        "filen er hele SOR (komplet udtræk): luk enheder, der mangler i filen, under alle "
        "institutionsejere (bag grænsen for lukninger og prøvekørslen); standard: kun filens "
        "institutionsejere berøres, medmindre filen selv angiver at være komplet"
    ),
    "import_scope_owners": "kun filens institutionsejere",
    "import_scope_complete": "hele registret (komplet udtræk)",
    "import_owners": "Omfang: {scope}. Institutionsejere i filen: {count}",
    "exported": "Eksporteret: {result}",
    "export_include_closed": (
        "medtag enheder, der er lukket før datoen (standard: ja for xml og parquet, som er "
        "komplette udtræk; nej for csv og fhir, som viser det gældende); "
        "--no-include-closed udelader dem"
    ),
    "rows": "Rækker: {text}",
    "batch_ok": "Prøvekørsel uden fejl ({seconds:.0f} s); intet er skrevet. Resultater i {out}:",
    "batch_failed": "Planen blev afvist:\n{error}",
    "batch_apply_ok": "Planen er gennemført ({seconds:.0f} s). Resultater i {out}:",
    "batch_apply_failed": "Planen blev afvist; intet er skrevet:\n{error}",
    "report_ok": "Rapporten er kørt ({seconds:.0f} s). Resultater i {out}:",
    "report_failed": "Rapporten fejlede:\n{error}",
    "artefacts": "Se {html}",
    "no_app": "Steward-appens notesbog findes ikke i {path}.",
    "app": "Steward-appen kører på http://127.0.0.1:{port}/ (register {register}); stop med Ctrl+C.",
    "check_ok": "Registret er i orden: {units} enheder, alle garantier og revisionsposter holder.",
    "check_failed": "Registret har {count} problemer:",
}

#: Report notebooks (sorkit.reports): check names, column labels and chart texts.
REPORT_TEXTS = {
    "no_phone": "Intet telefonnummer (efter nedarvning)",
    "no_phone_detail": "intet telefonnummer ({source} elektronisk blok)",
    "invalid_identifier": "Ugyldig identifikator",
    "no_unit_type": "Ingen eller ukendt enhedstype",
    "no_unit_type_detail": "ingen enhedstype",
    "unknown_unit_type": "ukendt enhedstype {code}",
    "gln_no_edi_types": "Lokationsnummer uden EDI-typer",
    "gln_inactive": "Lokationsnummer markeret ikke aktivt",
    "address_not_validated": "Adresse uden adressevalidering",
    "postal_address": "postadresse",
    "visiting_address": "besøgsadresse",
    "activity_address": "aktivitetsadresse",
    "unknown": "(ukendt)",
    "total": "I alt",
    "chart_title": "Lokationsnumre pr. region og netoperatør",
    "chart_y": "Antal lokationsnumre",
    "chart_legend": "Netoperatør",
    "yes": "ja",
    "no": "nej",
    "none": "(ingen)",
    "register": "Register",
    "date": "Dato",
    "ran": "Kørt",
    "parameters": "Parametre",
    "in_memory": "(i hukommelsen)",
    "rows_shown": "Viser de første {shown} af {total} rækker; alle står i CSV-filen.",
    "region": "Region",
    "operation": "Ændring",
    "count": "Antal",
    "quality_chart_title": "Enheder med fund pr. kontrol og region",
    "quality_chart_x": "Antal enheder",
    "changes_chart_title": "Ændringer pr. uge",
    "changes_chart_x": "Uge (mandag)",
    "pending_chart_title": "Kommende ændringer pr. dag",
    "pending_chart_x": "Virkningsdato",
    "by_effective": "virkningsdato",
    "by_recorded": "registreringsdato",
}

#: Report tables (sorkit.reports.view): the Danish name of every column a reader sees.
REPORT_COLUMNS = {
    "effective_date": "Virkningsdato",
    "operation": "Ændring",
    "sor_code": "SOR-kode",
    "name": "Navn",
    "path": "Placering",
    "changes": "Hvad ændres",
    "change_id": "Ændrings-id",
    "recorded_by": "Registreret af",
    "recorded_at": "Registreret",
    "reason": "Begrundelse",
    "batch_id": "Kørsel",
    "count": "Antal",
    "check_label": "Kontrol",
    "level": "Niveau",
    "detail": "Fund",
    "units": "Enheder",
    "gln": "Lokationsnummer",
    "region_name": "Region",
    "net_operator_name": "Netoperatør",
    "edb_system": "EDB-system",
    "system_supplier": "Systemleverandør",
    "administrator": "EDI-administrator",
    "edi_types": "EDI-typer",
    "only_internal": "Kun internt brug",
    "inactive": "Ikke aktivt",
    "inheritors": "Enheder, der nedarver",
    "region": "Region",
}

#: Report parameters as the header names them.
REPORT_PARAMETERS = {
    "start": "Fra",
    "end": "Til",
    "days": "Dage",
    "by": "Efter",
    "as_of": "Dato",
    "under": "Under SOR-kode",
    "today": "Registrets dato",
}
