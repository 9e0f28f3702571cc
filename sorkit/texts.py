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
