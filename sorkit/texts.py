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

#: Location numbers (issue #17): allocation, MedCom, code values, history of the attributes.
LOCATION_NUMBER_TEXTS = {
    "new_number": "(nyt nummer)",
    "no_range": "registret har intet GS1-nummerområde for lokationsnumre",
    "range_full": "nummerområdet {range} har ikke flere ledige numre",
    "medcom_mailbox": "sor@medcom.dk",
    "medcom_reason": "Aftalen med MedCom (dato, kontakt)",
    "mode_new": "Nyt lokationsnummer (gives automatisk ved Gem)",
    "mode_existing": "Eksisterende lokationsnummer (indtastes)",
    "will_get": "Enheden får lokationsnummeret {gln}, når der trykkes Gem.",
    "given": "Enheden har fået lokationsnummeret {gln}.",
    "cannot_give": "Der kan ikke gives et nyt lokationsnummer.",
    "code_hint": "skriv en kode eller vælg på listen",
    "edi_added": "{label} tilføjet: {codes}",
    "edi_removed": "{label} fjernet: {codes}",
    "number_added": "lokationsnummer {gln} givet",
    "number_removed": "lokationsnummer {gln} fjernet",
    "number_changed": "{label}: {old} -> {new}",
}

#: The user's role as the header names it (the guide's "SOR-administrator").
ROLE_LABELS = {
    "reader": "kun læseadgang",
    "steward": "SOR-administrator",
    "sds_admin": "SDS-administrator (alle enheder)",
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
    "quick_placeholder": "Navn, SOR-kode, CVR- eller lokationsnummer",
    "header": "{who} · Register: {register} · Dato: {date}",
    "header_user": "Bruger: {user} ({role})",
    "header_unknown": "Bruger: {user} er ikke oprettet i registret og må kun læse",
    "header_unmanaged": "Bruger: {user} (registret har ingen brugere: alle er administrator)",
    "header_memory": "i hukommelsen",
    "busy_search": "Søger …",
    "busy_tree": "Henter enheder …",
    "busy_save": "Gemmer …",
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
    "postal_inherit": "Nedarves fra overliggende enhed",
    "visiting_same": "Som postadresse",
    "activity_same": "Som besøgsadresse",
    "street": "Vejnavn",
    "house_number": "Husnr.",
    "floor": "Etage",
    "door": "Dør",
    "postcode": "Postnr.",
    "skip_validation": "Udelad adressevalidering",
    "electronic": "Elektroniske adresser",
    "inherit_electronic": "Nedarves fra overliggende enhed",
    "public_note": "OBS: Oplysningerne er borgervendte. Brug kun oplysninger, som må være "
    "offentligt tilgængelige. Telefonnummer er obligatorisk.",
    "location_mode": "Lokationsnummer",
    "location_own": "Eget lokationsnummer",
    "location_inherit": "Nedarves fra overliggende enhed",
    "location_none": "Intet lokationsnummer",
    "local_attributes": "Lokale attributter (højst 20 tegn hver; udfyldes som udgangspunkt ikke)",
    "local_attribute": "Attribut {n}",
    "reason": "Begrundelse for ændringen",
    "accept": "Accepter: {title}",
    "accept_reason": "Begrundelse for at acceptere",
    "notices": "Til orientering (kræver ingen accept)",
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
    "applied": "{unit}: ændringen er gemt og træder i kraft {date}.",
    "applied_close": "{unit}: lukningen er gemt; sidste gyldige dag er {date}.",
    "rejected": "Ændringen blev afvist:",
    "nothing_changed": "Ingen felter er ændret.",
    "choose_unit": "Vælg først en enhed.",
    "choose_new_parent": "Angiv den nye overliggende enhed: skriv dens SOR-kode, eller tryk på "
    "'Vælg i træet' og klik på den i træet.",
    "invalid_code": "'{value}' er ikke en gyldig SOR-kode.",
    "pending": "Ventende ændringer",
    "cancel_change": "Annuller ændring",
    "cancel_reason": "Begrundelse for at annullere (skal udfyldes)",
    "cancel_ok": "Annuller ændringen",
    "cancel_question": "Vil du annullere ændringen ({operation} pr. {date}: {changes})? Den "
    "træder så aldrig i kraft.",
    "cancel_done": "Ændringen ({operation} pr. {date}) er annulleret.",
    "cancel_rejected": "Ændringen kunne ikke annulleres:",
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
    "search_one": "1 enhed fundet.",
    "search_cut": "viser {shown} af {total} enheder (gør søgningen smallere for at se resten).",
    "search_kind": "Søgt på {kind}:",
    "search_none": "Ingen enheder fundet.",
    "search_pick": "Vælg enhed",
    "any": "(alle)",
    "choose": "(vælg)",
    "earliest": "Tidligst {date}.",
    "earliest_close": "Lukkedato (sidste gyldige dag): tidligst {date}.",
    "date_placeholder": "dd-mm-åååå",
    "identifiers": "Kliniske specialer og identifikatorer",
    "specialities_hint": "Vælg flere med Ctrl (Cmd på Mac); højst 8.",
    "date_invalid": "'{value}' er ikke en dato; skriv den som dd-mm-åååå.",
}

#: What the one search box took the typed text for ("Søgt på SOR-kode: 1 enhed fundet.").
SEARCH_KIND_LABELS = {
    "sor_code": "SOR-kode",
    "gln": "lokationsnummer",
    "cvr": "CVR-nummer",
    "name": "navn",
    "criteria": "søgefelterne",
}

#: Batch reorganisations (sorkit.batch): row status and the refusals a steward reads.
BATCH_STATUS = {
    "ok": "ok",
    "accepted": "accepteret",
    "note": "note",
    "warning": "advarsel",
    "error": "fejl",
}
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
    "register_in_memory": "i hukommelsen",
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

#: reg.compare's kinds of difference, as an analyst reads them (sorkit.analysis.compare.KINDS).
COMPARE_KIND_LABELS = {
    "new": "ny",
    "closed": "lukket",
    "moved": "flyttet",
    "renamed": "omdøbt",
    "type_changed": "ny enhedstype",
    "location_number_changed": "nyt lokationsnummer",
}

#: Column labels of the analysts' readable tables (sorkit.analysis.readable), on top of FIELD_LABELS.
ANALYST_LABELS = {
    "unit_type": "Enhedstypekode",
    "unit_type_name": "Enhedstype",
    "parent": "Overliggende SOR-kode",
    "parent_sor_code": "Overliggende SOR-kode",
    "parent_name": "Overliggende enhed",
    "region": "Region",
    "root_name": "Institutionsejer",
    "depth": "Dybde",
    "change_id": "Ændrings-id",
    "operation": "Handling",
    "kind": "Handling",
    "effective_date": "Gælder fra",
    "effective_from": "Gælder fra",
    "changes": "Ændringer",
    "recorded_by": "Registreret af",
    "recorded_at": "Registreret",
    "reason": "Begrundelse",
    "accepted": "Accepterede advarsler",
    "batch_id": "Batch",
    "cancelled": "Annulleret",
    "kinds": "Forskel",
    "name_a": "Navn før",
    "name_b": "Navn efter",
    "parent_name_a": "Overliggende enhed før",
    "parent_name_b": "Overliggende enhed efter",
    "unit_type_name_a": "Enhedstype før",
    "unit_type_name_b": "Enhedstype efter",
    "location_number_a": "Lokationsnummer før",
    "location_number_b": "Lokationsnummer efter",
    "path_a": "Placering før",
    "path_b": "Placering efter",
    "count": "Antal",
    "units": "Antal enheder",
    "week": "Uge",
    "month": "Måned",
}

#: The street register (sorkit.addresses, sorkit.cli.addresses, the app's status line).
ADDRESS_TEXTS = {
    "status": "Vejregister pr. {date}",
    "status_undated": "Vejregister fra {source} (uden dato)",
    "stale": "{status} er mere end et år gammelt: indlæs et nyere med 'sorkit addresses load'.",
    "loaded": "{status} indlæst: {ranges} husnummerintervaller, {streets} veje, {postcodes} "
    "postnumre, {municipalities} kommuner ({fmt}, {source}) -> {path}",
    "refused": "Vejregistret blev ikke indlæst; det hidtidige er uændret. {path}:",
    "in_use": "{status} ({fmt}, {source}){loaded}",
    "in_use_loaded": ", indlæst {at}",
    "shipped": "det medfølgende nationale vejregister",
    "not_validated": "{count} adresser kunne ikke valideres mod vejregistret (de er importeret som de er):",
    "city_from_postcode": "By (fra postnummeret)",
    "choose_street": "Vælg vej fra listen",
    "house_numbers": "Husnumre: {numbers}",
    "import_line": "{sor_code} {name}: {kind} {address}: {problem} ({code})",
    "ADDRESS_POSTCODE_UNKNOWN": "postnummeret findes ikke",
    "ADDRESS_STREET_UNKNOWN": "vejen findes ikke i postnummeret",
    "ADDRESS_HOUSE_NUMBER_OUT_OF_RANGE": "husnummeret findes ikke på vejen",
    "ADDRESS_REGISTER_NO_COVERAGE": "vejregistret har ingen veje for postnummeret",
}

#: The short Danish title of each rule a steward may be asked about (accept checkboxes, notice
#: lists): "Accepter: <titel>", never the bare violation code.
RULE_TITLES = {
    "PUBLIC_INFORMATION": "Oplysningerne er borgervendte",
    "ADDRESS_NOT_VALIDATED": "Adressen er ikke valideret",
    "ADDRESS_REGISTER_NO_COVERAGE": "Vejen kunne ikke kontrolleres",
    "MOVE_OUTSIDE_OWN_ORGANISATION": "Flytning uden for egen organisation",
    "CLOSE_ENDS_LOCATION_NUMBER": "Lokationsnummeret lukkes",
    "CLOSE_ENDS_INHERITED_LOCATION_NUMBER": "Nedarvet lokationsnummer lukkes",
    "GLN_NOT_DANISH": "Lokationsnummeret er ikke dansk",
    "GLN_NO_EDI_TYPES": "Ingen EDI-typer",
    "GLN_EDI_TYPE_UNKNOWN": "Ukendt EDI-type",
    "GLN_INACTIVE": "Lokationsnummeret er ikke aktivt",
    "GLN_MUNICIPAL_CONTACT_MEDCOM": "Aftalt med MedCom",
    "GLN_CODE_UNKNOWN": "Ukendt kode i lokationsnummeret",
}


def rule_title(code: str) -> str:
    """The short Danish title of a rule (a generic Danish word if none is written yet)."""
    return RULE_TITLES.get(code, "advarslen")
