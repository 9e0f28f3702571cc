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
