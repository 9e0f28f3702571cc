"""Names and code values the demo register is built from (real Danish institutions and types)."""

from __future__ import annotations

# Unit types (SNOMED CT), from data/reference/sor_enhedstyper.csv.
OWNER_REGION = "550881000005103"
OWNER_MUNICIPALITY = "547211000005108"
OWNER_PRIVATE = "550891000005100"
SI_HOSPITAL = "22232009"
SI_HEALTH_ADMINISTRATION = "554041000005106"
SI_GP_PRACTICE = "394761003"
OE_ADMINISTRATIVE = "550811000005108"
OE_CLINICAL = "550851000005109"
OE_EMERGENCY = "550871000005101"
OE_IMAGING = "309964003"
OE_NURSING_HOME = "42665001"
OE_DENTAL_CLINIC = "550691000005104"
OE_HOME_CARE = "554821000005109"
OE_HOME_NURSING = "550621000005101"
OE_HEALTH_VISITORS = "554021000005101"
OE_REHABILITATION = "546811000005109"
OE_HOUSING = "554221000005108"
OE_HEALTH_CENTRE = "264361005"

SPECIALITY_GENERAL_PRACTICE = "408443003"

#: Hospitals per region (real names), with a 4-character SHAK prefix for each.
HOSPITALS: dict[str, list[tuple[str, str]]] = {
    "1084": [
        ("Rigshospitalet", "1301"),
        ("Herlev og Gentofte Hospital", "1516"),
        ("Bispebjerg og Frederiksberg Hospital", "1309"),
        ("Amager og Hvidovre Hospital", "1330"),
        ("Nordsjællands Hospital", "4001"),
        ("Bornholms Hospital", "4202"),
    ],
    "1085": [
        ("Sjællands Universitetshospital", "3800"),
        ("Holbæk Sygehus", "3001"),
        ("Nykøbing Falster Sygehus", "3201"),
        ("Næstved, Slagelse og Ringsted Sygehuse", "3701"),
    ],
    "1083": [
        ("Odense Universitetshospital", "4202A"),
        ("Sygehus Lillebælt", "5501"),
        ("Sydvestjysk Sygehus", "5601"),
        ("Sygehus Sønderjylland", "5701"),
    ],
    "1082": [
        ("Aarhus Universitetshospital", "7005"),
        ("Regionshospitalet Gødstrup", "6620"),
        ("Regionshospitalet Randers", "6006"),
        ("Hospitalsenhed Midt", "6800"),
        ("Regionshospitalet Horsens", "7007"),
    ],
    "1081": [
        ("Aalborg Universitetshospital", "8001"),
        ("Regionshospital Nordjylland", "8003"),
    ],
}

#: Hospital departments: (name, unit type, speciality code).
DEPARTMENTS: list[tuple[str, str, str | None]] = [
    ("Akutafdelingen", OE_EMERGENCY, "773568002"),
    ("Medicinsk Afdeling", OE_CLINICAL, "419192003"),
    ("Kardiologisk Afdeling", OE_CLINICAL, "394579002"),
    ("Ortopædkirurgisk Afdeling", OE_CLINICAL, "394801008"),
    ("Børne- og Ungeafdelingen", OE_CLINICAL, "394537008"),
    ("Anæstesiologisk Afdeling", OE_CLINICAL, "394577000"),
    ("Radiologisk Afdeling", OE_IMAGING, "394914008"),
    ("Øjenafdelingen", OE_CLINICAL, "394594003"),
]
SECTIONS = ["Sengeafsnit", "Ambulatorium", "Dagafsnit"]

#: Municipal units under the health administration: (name template, unit type).
MUNICIPAL_UNITS: list[tuple[str, str]] = [
    ("Sundhedsplejen {m}", OE_HEALTH_VISITORS),
    ("Hjemmesygeplejen {m}", OE_HOME_NURSING),
    ("Genoptræning {m}", OE_REHABILITATION),
    ("Sundhedscenter {m}", OE_HEALTH_CENTRE),
    ("Bostedet {m}", OE_HOUSING),
]
ADMINISTRATIVE_UNITS = ["Sekretariatet", "Visitationen", "Økonomi og Styring"]
HOME_CARE_DISTRICTS = ["Nord", "Syd", "Øst", "Vest"]
NURSING_HOMES = ["Solgården", "Lindehuset", "Egebo", "Bakkehuset", "Rosenhaven", "Kastanjegården"]
SCHOOLS = ["Centerskolen", "Bakkeskolen", "Søndre Skole", "Nordre Skole"]

#: The guide's own example (Allerød Kommune), built exactly so its walk-through can be replayed.
ALLEROED = "0201"
ALLEROED_SCHOOLS = ["Blovstrød Skole", "Lillerød Skole", "Engholmskolen", "Lyngehus Skolen"]
ALLEROED_TOWN_HALL = ("Bjarkesvej", "2", "3450", "Allerød")

#: Municipality names whose "Kommune" form is irregular.
MUNICIPALITY_NAMES = {
    "København": "Københavns Kommune",
    "Bornholm": "Bornholms Regionskommune",
}

USERS = [
    ("admin", "sds_admin", (), "SDS-administrator"),
    ("reader", "reader", (), "Analytiker (kun læseadgang)"),
    ("kommune", "steward", ("municipality:" + ALLEROED,), "SOR-administrator, Allerød Kommune"),
    ("region", "steward", ("region:1084",), "SOR-administrator, Region Hovedstaden"),
]

PRACTICE_NAMES = [
    "Lægerne {s}",
    "Lægehuset {s}",
    "Lægeklinikken {s}",
    "{s} Lægecenter",
    "Lægerne i {s}",
]

EDI_TYPES_COMMON = ("FDIS20", "FDIS91", "FCTL")


def municipality_name(name: str) -> str:
    """The register name of a municipality ("Allerød" -> "Allerød Kommune")."""
    return MUNICIPALITY_NAMES.get(name, f"{name} Kommune")


def ascii_slug(text: str) -> str:
    """Danish name to a web/e-mail slug ("Allerød Kommune" -> "alleroed")."""
    table = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "u"})
    word = text.lower().replace(" kommune", "").replace(" regionskommune", "")
    word = word.translate(table)
    return "".join(ch for ch in word if ch.isalnum())
