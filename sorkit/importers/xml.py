"""Streaming parser for the SOR XML complete export (``urn:oio:sundhedsstyrelsen:organisation:1.0.0``).

The tree is ``SorTree > InstitutionOwnerEntity > HealthInstitutionEntity >
OrganizationalUnitEntity`` (the last one recursive); each ``*Entity`` wrapper holds one unit
element (``InstitutionOwner``, ``HealthInstitution``, ``OrganizationalUnit``) and the wrappers of
its children. The parser runs expat directly, feeding the file in blocks, and keeps only the unit
element being read as a small tree: a several-hundred-MB export parses in bounded memory (the
parsed records themselves are small). Unknown elements are ignored.

Safety: the same guards as ``defusedxml`` (and its exceptions): a document type declaration is
refused outright, so neither entity expansion ("billion laughs") nor external entities or DTDs
can be used; entity declarations and external references are refused as well should expat ever
report one, and parameter entities are never parsed. A SOR export never has a DTD.

Mapping (domain reference §1.2-1.3): ``OwnerType``/``InstitutionType``/``UnitType`` ->
``unit_type``; ``ProviderIdentifier`` -> ``ydernummer`` (text, leading zeros kept);
``PharmacyIdentifier`` -> ``pharmacy_id``; ``ShakIdentifier`` -> ``shak``; ``LocalCode``;
``LocalAttribute1..5`` -> ``local_attributes`` (in order); ``EanLocationCodeEntity`` -> the unit's
own ``location_number`` (``SystemType`` = ``edb_system``, ``CommunicationSupplier`` =
``net_operator``, ``RegionCode`` = ``region``, ``EdiAdministrator`` = ``administrator``,
``NonActiveIndicator`` = ``inactive``, ``SorNote`` = ``note``) with its own ``SorStatus``;
``EntityInheritedIndicator`` true -> ``inherit_location_number``; a missing postal address on
an SI/OE means "inherit from the parent", a missing visiting address "same as postal", a missing
activity address "same as visiting"; no ``VirtualAddressInformation`` on an SI/OE ->
``inherit_electronic``; ``SpecialityCode`` -> ``specialities``; ``Replaces``/
``ReplacedByEntityCollection`` -> ``replaces``/``replaced_by``. Values the register has no field
for (``OrganizationalUnitInformation`` flags, ``GeographicalParent``, ``SpecialityType``,
``UpdatedAt``, stairway, country, PO box and other address parts) go to ``UnitRecord.extra``
and from there into the audit parameters.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any, BinaryIO
from xml.parsers import expat

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from sorkit.ids import (
    is_valid_cvr,
    is_valid_gln,
    is_valid_p_number,
    is_valid_shak,
    is_valid_sor_code,
    is_valid_ydernummer,
)
from sorkit.importers.common import (
    ParsedFile,
    Problem,
    UnitRecord,
    parse_bool,
    parse_iso_date,
)
from sorkit.model import STATE_FIELDS

SOR_NS = "urn:oio:sundhedsstyrelsen:organisation:1.0.0"
_SEP = "\x1f"
_UNIT_LEVELS = {"InstitutionOwner": "IE", "HealthInstitution": "SI", "OrganizationalUnit": "OE"}
_WRAPPERS = {
    "InstitutionOwnerEntity": "InstitutionOwner",
    "HealthInstitutionEntity": "HealthInstitution",
    "OrganizationalUnitEntity": "OrganizationalUnit",
}
_ALLOWED_PARENT_WRAPPER = {
    "InstitutionOwnerEntity": ("SorTree",),
    "HealthInstitutionEntity": ("InstitutionOwnerEntity",),
    "OrganizationalUnitEntity": ("HealthInstitutionEntity", "OrganizationalUnitEntity"),
}
_TYPE_ELEMENT = {"IE": "OwnerType", "SI": "InstitutionType", "OE": "UnitType"}
_CVR_NAMES = ("CvrNumberIdentifier", "CVRnumberIdentifier", "CVRNumberIdentifier")
_P_NAMES = ("ProductionUnitIdentifier", "PNumberIdentifier")
_ADDRESS_KINDS = (
    ("PostalAddressInformation", "postal_address"),
    ("VisitingAddressInformation", "visiting_address"),
    ("ActivityAddressInformation", "activity_address"),
)
_ADDRESS_PARTS = {
    "StreetName": "street",
    "StreetBuildingIdentifier": "house_number",
    "FloorIdentifier": "floor",
    "SuiteIdentifier": "door",
    "PostCodeIdentifier": "postcode",
    "DistrictName": "city",
}
_ADDRESS_EXTRA = {
    "StreetNameForAddressingName": "street_for_addressing",
    "DistrictSubdivisionIdentifier": "district_subdivision",
    "MailDeliverySublocationIdentifier": "mail_delivery_sublocation",
    "PostOfficeBoxIdentifier": "po_box",
    "CountryIdentificationCode": "country",
}
_LN_CODES = {
    "SystemSupplier": "system_supplier",
    "SystemType": "edb_system",
    "CommunicationSupplier": "net_operator",
    "RegionCode": "region",
    "EdiAdministrator": "administrator",
}
_BLOCK = 1 << 20

# A node of a unit element's small tree: [local name, text parts, children, line].
Node = list[Any]


class _Fatal(Exception):
    """Parsing cannot go on (malformed XML, forbidden construct, wrong document)."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def parse_sor_xml(path: str | os.PathLike[str], *, source: str | None = None) -> ParsedFile:
    """Parse a SOR XML complete export into unit records, collecting every problem.

    Args:
        path: the XML file.
        source: the name used in messages (default: the file name).

    Returns:
        The parsed file; ``problems`` is empty only if every unit is valid.
    """
    p = Path(path)
    result = ParsedFile(source=source or p.name, format="sor-xml")
    try:
        with open(p, "rb") as fh:
            _Reader(result).run(fh)
    except _Fatal as fatal:
        result.problems.append(fatal.problem)
    except OSError as exc:
        result.problems.append(Problem("filen", "", str(p), f"kan ikke læses: {exc}"))
    if not result.records and not result.problems:
        result.problems.append(Problem("filen", "SorTree", "", "filen indeholder ingen enheder"))
    return result


class _Reader:
    """Expat handlers: wrappers give the tree, unit elements are collected and converted."""

    def __init__(self, result: ParsedFile):
        self.result = result
        self.parser = expat.ParserCreate(namespace_separator=_SEP)
        self.parser.buffer_text = True
        self.parser.buffer_size = 1 << 16
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._entity
        self.parser.UnparsedEntityDeclHandler = self._unparsed_entity
        self.parser.ExternalEntityRefHandler = self._external
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text
        self.path: list[str] = []
        self.codes: list[str | None] = []  # per open *Entity wrapper: its unit's code
        self.node_stack: list[Node] = []
        self.unit_line = 0
        self.root_seen = False
        self.cvr_seen = False
        self.p_seen = False
        self.seen_codes: dict[str, int] = {}

    # -- driving -------------------------------------------------------------------------

    def run(self, fh: BinaryIO) -> None:
        try:
            while True:
                block = fh.read(_BLOCK)
                if not block:
                    break
                self.parser.Parse(block, False)
            self.parser.Parse(b"", True)
        except (expat.ExpatError, LookupError) as exc:  # LookupError: unknown encoding declared
            line = getattr(exc, "lineno", self.parser.ErrorLineNumber)
            col = getattr(exc, "offset", self.parser.ErrorColumnNumber)
            code = getattr(exc, "code", None)
            message = expat.ErrorString(code) if code else str(exc)
            raise _Fatal(
                Problem(
                    f"linje {line}, kolonne {col}",
                    "/".join(self.path) or "dokumentet",
                    "",
                    f"ugyldig eller afkortet XML ({message})",
                )
            ) from None
        if self.cvr_seen or self.p_seen:
            extra = {n for n, seen in (("cvr", self.cvr_seen), ("p_number", self.p_seen)) if seen}
            for rec in self.result.records:
                rec.carried = rec.carried | extra

    def _here(self) -> str:
        return f"linje {self.parser.CurrentLineNumber}"

    # -- forbidden constructs (as defusedxml) ---------------------------------------------

    def _doctype(self, name: str, sysid: str | None, pubid: str | None, has_internal: int) -> None:
        exc = DTDForbidden(name, sysid, pubid)
        raise _Fatal(
            Problem(
                self._here(),
                "<!DOCTYPE>",
                name,
                f"dokumenttypeerklæringer (DTD) er ikke tilladt i et SOR-udtræk ({exc})",
            )
        )

    def _entity(self, name: str, is_parameter: int, value: str | None, *rest: Any) -> None:
        exc = EntitiesForbidden(name, value, rest[0] if rest else None, *rest[1:4])
        raise _Fatal(Problem(self._here(), "<!ENTITY>", name, f"entiteter er ikke tilladt ({exc})"))

    def _unparsed_entity(self, name: str, *rest: Any) -> None:
        raise _Fatal(Problem(self._here(), "<!ENTITY>", name, "entiteter er ikke tilladt"))

    def _external(
        self, context: str, base: str | None, sysid: str | None, pubid: str | None
    ) -> int:
        exc = ExternalReferenceForbidden(context, base, sysid, pubid)
        raise _Fatal(
            Problem(
                self._here(),
                "ekstern reference",
                sysid or "",
                f"eksterne referencer er ikke tilladt ({exc})",
            )
        )

    # -- elements ------------------------------------------------------------------------

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        ns, _, local = name.rpartition(_SEP)
        if not self.root_seen:
            self.root_seen = True
            if ns != SOR_NS or local != "SorTree":
                raise _Fatal(
                    Problem(
                        self._here(),
                        "rodelement",
                        f"{{{ns}}}{local}" if ns else local,
                        f"ikke et SOR XML-udtræk: forventede SorTree i navnerummet {SOR_NS}",
                    )
                )
            self.path.append(local)
            return
        if self.node_stack:
            node: Node = [local, [], [], self.parser.CurrentLineNumber]
            self.node_stack[-1][2].append(node)
            self.node_stack.append(node)
            self.path.append(local)
            return
        self.path.append(local)
        if ns != SOR_NS:
            return
        if local in _WRAPPERS:
            outer = self._wrapper_context()
            if outer not in _ALLOWED_PARENT_WRAPPER[local]:
                self.result.problems.append(
                    Problem(
                        self._here(),
                        local,
                        "",
                        f"{local} står et forkert sted (inde i {outer})",
                    )
                )
            self.codes.append(None)
        elif local in _UNIT_LEVELS and len(self.path) >= 2 and self.path[-2] in _WRAPPERS:
            self.unit_line = self.parser.CurrentLineNumber
            self.node_stack.append([local, [], [], self.unit_line])
        elif local in ("SnapshotDate", "CreatedAtTime") and len(self.path) == 2:
            self.node_stack.append([local, [], [], self.parser.CurrentLineNumber])

    def _wrapper_context(self) -> str:
        for name in reversed(self.path[:-1]):
            if name in _WRAPPERS or name == "SorTree":
                return name
        return "SorTree"

    def _text(self, data: str) -> None:
        if self.node_stack:
            self.node_stack[-1][1].append(data)

    def _end(self, name: str) -> None:
        local = self.path.pop() if self.path else ""
        if self.node_stack:
            node = self.node_stack.pop()
            if self.node_stack:
                return
            if local in _UNIT_LEVELS:
                self._unit(node)
            elif local == "SnapshotDate":
                self.result.snapshot_date = parse_iso_date(_text(node))
            elif local == "CreatedAtTime":
                self.result.created_at = _text(node)
            return
        if local in _WRAPPERS and self.codes:
            self.codes.pop()

    # -- one unit ------------------------------------------------------------------------

    def _unit(self, node: Node) -> None:
        level = _UNIT_LEVELS[node[0]]
        where = f"linje {node[3]} ({'/'.join(self.path + [node[0]])})"
        parent = self.codes[-2] if len(self.codes) >= 2 else None
        problems: list[Problem] = []
        record = _convert(node, level, parent, where, problems)
        if record is None and self.codes:
            # Children still know their parent's code: no follow-on errors for them.
            self.codes[-1] = _text(_child(node, "SorIdentifier")) or None
        if record is not None:
            if len(self.codes) >= 2 and parent is None:
                problems.append(
                    Problem(where, "SorIdentifier", "", "overordnet enhed er ugyldig eller mangler")
                )
            seen = self.seen_codes.get(record.sor_code)
            if seen is not None:
                problems.append(
                    Problem(
                        where,
                        "SorIdentifier",
                        record.sor_code,
                        f"SOR-koden optræder også på linje {seen}",
                    )
                )
            else:
                self.seen_codes[record.sor_code] = node[3]
            if self.codes:
                self.codes[-1] = record.sor_code
            self.cvr_seen |= record.extra.pop("_cvr_seen", False)
            self.p_seen |= record.extra.pop("_p_seen", False)
            if not problems:
                self.result.records.append(record)
        self.result.problems.extend(problems)


def _text(node: Node | None) -> str:
    return "".join(node[1]).strip() if node is not None else ""


def _child(node: Node | None, name: str) -> Node | None:
    if node is None:
        return None
    for c in node[2]:
        if c[0] == name:
            return c
    return None


def _children(node: Node | None, name: str) -> list[Node]:
    return [] if node is None else [c for c in node[2] if c[0] == name]


def _descendants(node: Node, name: str) -> list[Node]:
    out: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        for c in current[2]:
            if c[0] == name:
                out.append(c)
            else:
                stack.append(c)
    out.sort(key=lambda n: n[3])
    return out


def _at(where: str, node: Node | None) -> str:
    if node is None:
        return where
    head, sep, rest = where.partition(" (")
    return f"linje {node[3]} ({rest}" if sep else where


def _convert(
    node: Node, level: str, parent: str | None, where: str, problems: list[Problem]
) -> UnitRecord | None:
    """Turn one unit element into a record (None if it has no usable SOR code)."""
    extra: dict[str, Any] = {}
    index: dict[str, Node] = {}
    for c in node[2]:
        index.setdefault(c[0], c)

    def own(name: str) -> Node | None:
        return index.get(name)

    def bad(n: Node | None, field: str, value: str, message: str) -> None:
        problems.append(Problem(_at(where, n), field, value, message))

    code_node = own("SorIdentifier")
    code = _text(code_node)
    if not code:
        bad(node, "SorIdentifier", "", "SOR-kode mangler")
        return None
    if not is_valid_sor_code(code):
        bad(code_node, "SorIdentifier", code, "ugyldig SOR-kode (format eller kontrolciffer)")
    name_node = own("EntityName")
    name = _text(name_node)
    if not name:
        bad(name_node or node, "EntityName", "", "navn mangler")

    type_name = _TYPE_ELEMENT[level]
    type_node = own(type_name)
    unit_type = _text(type_node) or None
    if unit_type is not None and not unit_type.isdigit():
        bad(type_node, type_name, unit_type, "enhedstypen skal være en SNOMED CT-kode (tal)")
    elif unit_type is None and level != "OE":
        bad(node, type_name, "", "enhedstype mangler")

    def ident(element: str, check: Any, message: str) -> str | None:
        n = own(element)
        value = _text(n) or None
        if value is not None and check is not None and not check(value):
            bad(n, element, value, message)
        return value

    shak = ident("ShakIdentifier", is_valid_shak, "ugyldig SHAK-kode (4-7 tegn)")
    yder = ident("ProviderIdentifier", is_valid_ydernummer, "ugyldigt ydernummer (1-9 cifre)")
    pharmacy = ident("PharmacyIdentifier", None, "")
    local_code = ident("LocalCode", None, "")
    cvr = p_number = None
    for element in _CVR_NAMES:
        if own(element) is not None:
            extra["_cvr_seen"] = True
            cvr = ident(element, is_valid_cvr, "ugyldigt CVR-nummer (kontrolciffer)")
    for element in _P_NAMES:
        if own(element) is not None:
            extra["_p_seen"] = True
            p_number = ident(element, is_valid_p_number, "ugyldigt P-nummer (10 cifre)")

    # SorStatus: the unit's dates.
    status = own("SorStatus")
    dates = _status(status, where, problems, required=True, node=node)
    if dates is None:
        return None
    first_from, from_date, last_day, updated = dates
    if updated is not None:
        extra["updated_at"] = updated.isoformat()

    # Location number: the IE holds EanLocationCodeEntity directly; SI/OE through a choice.
    inherit_ln = False
    ln_node = own("EanLocationCodeEntity")
    optional = own("OptionalEanLocationCode")
    if optional is not None:
        ln_node = _child(optional, "EanLocationCodeEntity") or ln_node
        flag_node = _child(optional, "EntityInheritedIndicator")
        if flag_node is not None:
            flag = parse_bool(_text(flag_node))
            if flag is None:
                bad(flag_node, "EntityInheritedIndicator", _text(flag_node), "skal være true/false")
            inherit_ln = bool(flag) and ln_node is None
    if level == "IE":
        inherit_ln = False
    location_number = None
    ln_first = ln_last = None
    if ln_node is not None:
        location_number, ln_dates = _location_number(ln_node, where, problems)
        if ln_dates is not None:
            ln_first, _ln_from, ln_last, _ = ln_dates

    # Addresses: a missing block means "inherit" / "same as" (None in storage form).
    addresses: dict[str, Any] = {}
    for element, field in _ADDRESS_KINDS:
        block = own(element)
        addresses[field] = None if block is None else _address(block, field, extra)
    if level == "IE" and addresses["postal_address"] is None:
        bad(node, "PostalAddressInformation", "", "en institutionsejer skal have en postadresse")

    virtual = own("VirtualAddressInformation")
    if level == "IE" and virtual is None:
        bad(node, "VirtualAddressInformation", "", "en institutionsejer skal have et telefonnummer")

    specialities: list[str] = []
    speciality_types: dict[str, str] = {}
    for spec in _descendants(node, "ClinicalSpeciality"):
        code_text = _text(_child(spec, "SpecialityCode"))
        if not code_text.isdigit():
            bad(spec, "SpecialityCode", code_text, "specialet skal være en SNOMED CT-kode (tal)")
            continue
        specialities.append(code_text)
        kind = _text(_child(spec, "SpecialityType"))
        if kind:
            speciality_types[code_text] = kind
    if speciality_types:
        extra["speciality_types"] = speciality_types

    local_attributes: list[str] = []
    attrs = own("LocalAttributeCollection")
    if attrs is not None:
        positions = {}
        for i in range(1, 6):
            value = _text(_child(attrs, f"LocalAttribute{i}"))
            if value:
                local_attributes.append(value)
                positions[str(i)] = value
        if list(positions) != [str(i) for i in range(1, len(positions) + 1)]:
            extra["local_attribute_positions"] = positions

    replaces = _codes(own("ReplacesEntityCollection"), where, problems)
    replaced_by = _codes(own("ReplacedByEntityCollection"), where, problems)

    info = own("OrganizationalUnitInformation")
    if info is not None:
        flags: dict[str, bool | None] = {}
        for element in (
            "AmbulantActivityIndicator",
            "PatientsAdmittedIndicator",
            "ReportingLevelIndicator",
        ):
            n = _child(info, element)
            if n is None:
                continue
            flag = parse_bool(_text(n))
            if flag is None:
                bad(n, element, _text(n), "skal være true/false")
            flags[element] = flag
        extra["organizational_unit_information"] = flags
    geo = own("GeographicalParent")
    if geo is not None:
        extra["geographical_parent"] = {
            k: _text(_child(geo, k))
            for k in ("GeographicalParentRelation", "GeographicalParentSorIdentifier")
            if _text(_child(geo, k))
        }

    state: dict[str, Any] = {
        "level": level,
        "parent": parent,
        "name": name,
        "unit_type": unit_type,
        **addresses,
        "inherit_electronic": level != "IE" and virtual is None,
        "phone": _text(_child(virtual, "TelephoneNumberIdentifier")) or None,
        "email": _text(_child(virtual, "EmailAddressIdentifier")) or None,
        "website": _text(_child(virtual, "Website")) or None,
        "fax": _text(_child(virtual, "FaxNumberIdentifier")) or None,
        "location_number": location_number,
        "inherit_location_number": inherit_ln,
        "local_attributes": tuple(local_attributes),
        "specialities": tuple(specialities),
        "shak": shak,
        "ydernummer": yder,
        "pharmacy_id": pharmacy,
        "cvr": cvr,
        "p_number": p_number,
        "local_code": local_code,
        "replaces": replaces,
        "replaced_by": replaced_by,
    }
    carried = frozenset(f for f in STATE_FIELDS if f not in ("cvr", "p_number"))
    return UnitRecord(
        sor_code=code,
        level=level,
        parent=parent,
        state=state,
        first_from=first_from,
        from_date=from_date,
        last_day=last_day,
        ln_first_from=ln_first,
        ln_last_day=ln_last,
        extra=extra,
        where=where,
        carried=carried,
    )


def _status(
    status: Node | None,
    where: str,
    problems: list[Problem],
    *,
    required: bool,
    node: Node,
) -> tuple[dt.date, dt.date, dt.date | None, dt.date | None] | None:
    """Read a SorStatus: (first_from, from_date, last_day, updated_at), None if unusable."""
    if status is None:
        if required:
            problems.append(Problem(_at(where, node), "SorStatus", "", "SorStatus mangler"))
        return None
    values: dict[str, dt.date | None] = {}
    ok = True
    for element in ("FirstFromDate", "FromDate", "ToDate", "UpdatedAt"):
        n = _child(status, element)
        text = _text(n)
        if n is None or not text:
            values[element] = None
            continue
        day = parse_iso_date(text)
        if day is None:
            problems.append(
                Problem(_at(where, n), element, text, "ugyldig dato (forventet ÅÅÅÅ-MM-DD)")
            )
            ok = False
        values[element] = day
    first = values["FirstFromDate"] or values["FromDate"]
    if ok and first is None:
        problems.append(Problem(_at(where, status), "FirstFromDate", "", "startdato mangler"))
        return None
    if not ok or first is None:
        return None
    from_date = values["FromDate"] or first
    last = values["ToDate"]
    if from_date < first:
        from_date = first
    if last is not None and last < first:
        problems.append(
            Problem(
                _at(where, _child(status, "ToDate")),
                "ToDate",
                last.isoformat(),
                f"slutdatoen ligger før startdatoen {first.isoformat()}",
            )
        )
        return None
    return first, from_date, last, values["UpdatedAt"]


def _location_number(
    node: Node, where: str, problems: list[Problem]
) -> tuple[dict[str, Any] | None, tuple[dt.date, dt.date, dt.date | None, dt.date | None] | None]:
    gln_node = _child(node, "EanLocationCode")
    gln = _text(gln_node)
    if not gln:
        problems.append(Problem(_at(where, node), "EanLocationCode", "", "lokationsnummer mangler"))
        return None, None
    if not is_valid_gln(gln):
        problems.append(
            Problem(
                _at(where, gln_node),
                "EanLocationCode",
                gln,
                "ugyldigt lokationsnummer (13 cifre, GS1-kontrolciffer)",
            )
        )
    data: dict[str, Any] = {"gln": gln}
    for element, key in _LN_CODES.items():
        data[key] = _text(_child(node, element)) or None
    for element, key in (
        ("OnlyInternalIndicator", "only_internal"),
        ("NonActiveIndicator", "inactive"),
    ):
        n = _child(node, element)
        value = parse_bool(_text(n)) if n is not None else False
        if value is None:
            problems.append(Problem(_at(where, n), element, _text(n), "skal være true/false"))
            value = False
        data[key] = value
    data["edi_types"] = ()
    data["note"] = _text(_child(node, "SorNote")) or None
    status = _child(node, "SorStatus")
    dates = None
    if status is not None:
        dates = _status(status, where, problems, required=False, node=node)
    return data, dates


def _address(block: Node, field: str, extra: dict[str, Any]) -> dict[str, Any]:
    postal = _child(block, "AddressPostal")
    data: dict[str, Any] = {key: None for key in _ADDRESS_PARTS.values()}
    data["skip_validation"] = False
    more: dict[str, str] = {}
    for part in postal[2] if postal is not None else []:
        value = _text(part)
        if not value:
            continue
        if part[0] in _ADDRESS_PARTS:
            data[_ADDRESS_PARTS[part[0]]] = value
        elif part[0] in _ADDRESS_EXTRA:
            more[_ADDRESS_EXTRA[part[0]]] = value
    stairway = _text(_child(block, "Stairway"))
    if stairway:
        more["stairway"] = stairway
    if more:
        extra.setdefault("address_parts", {})[field] = more
    return data


def _codes(node: Node | None, where: str, problems: list[Problem]) -> tuple[str, ...]:
    if node is None:
        return ()
    out = []
    for n in _descendants(node, "SorIdentifier"):
        value = _text(n)
        if not is_valid_sor_code(value):
            problems.append(
                Problem(_at(where, n), f"{node[0]}/SorIdentifier", value, "ugyldig SOR-kode")
            )
        else:
            out.append(value)
    return tuple(out)
