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

How one unit element maps to a record is in :mod:`sorkit.importers.xmlunit` (with
:mod:`sorkit.importers.xmlparts` and :mod:`sorkit.importers.xmlnodes`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, BinaryIO
from xml.parsers import expat

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from sorkit.importers.common import ParsedFile, Problem, parse_iso_date
from sorkit.importers.xmlnodes import Node, child, node_text
from sorkit.importers.xmlunit import convert_unit

__all__ = ["SOR_NS", "Node", "parse_sor_xml"]

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
_BLOCK = 1 << 20


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
        self.parser.ProcessingInstructionHandler = self._instruction
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

    def _instruction(self, target: str, data: str) -> None:
        """``<?sorkit scope="complete"?>`` before the root: the file is a complete export."""
        if target == "sorkit" and not self.root_seen and 'scope="complete"' in data:
            self.result.complete = True

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
                self.result.snapshot_date = parse_iso_date(node_text(node))
            elif local == "CreatedAtTime":
                self.result.created_at = node_text(node)
            return
        if local in _WRAPPERS and self.codes:
            self.codes.pop()

    # -- one unit ------------------------------------------------------------------------

    def _unit(self, node: Node) -> None:
        level = _UNIT_LEVELS[node[0]]
        where = f"linje {node[3]} ({'/'.join(self.path + [node[0]])})"
        parent = self.codes[-2] if len(self.codes) >= 2 else None
        problems: list[Problem] = []
        record = convert_unit(node, level, parent, where, problems)
        if record is None and self.codes:
            # Children still know their parent's code: no follow-on errors for them.
            self.codes[-1] = node_text(child(node, "SorIdentifier")) or None
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
