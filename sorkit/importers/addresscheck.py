"""Addresses of an import checked against the street register, reported but never refused (#22).

SOR's own data wins: an import keeps every address as the file states it. The report lists the
own addresses (not those marked "udelad adressevalidering") that the register in use does not
know, one Danish line each, with the rule's code (ADDRESS_STREET_UNKNOWN, ...).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sorkit.addresses import ADDRESS_FIELDS, AddressRegister
from sorkit.importers.common import UnitRecord
from sorkit.model import Address
from sorkit.texts import ADDRESS_TEXTS, FIELD_LABELS

__all__ = ["address_findings"]


def address_findings(
    records: Iterable[UnitRecord], register: AddressRegister | None = None
) -> list[str]:
    """One line per own address in ``records`` that does not validate (in file order).

    Args:
        records: The units of the file.
        register: The street register (default: the one in use).

    Returns:
        Lines like ``"<SOR-kode> <navn>: Postadresse Nyvej 1, 3450 Allerød: vejen findes ikke
        i postnummeret (ADDRESS_STREET_UNKNOWN)"``.
    """
    register = register or AddressRegister.default()
    seen: dict[tuple[str, str, str], str | None] = {}
    out: list[str] = []
    for record in records:
        for name in ADDRESS_FIELDS:
            value = record.state.get(name)
            if not isinstance(value, Mapping) or value.get("skip_validation"):
                continue
            key = (
                str(value.get("street") or ""),
                str(value.get("house_number") or ""),
                str(value.get("postcode") or ""),
            )
            if key not in seen:
                problems = register.check(*key, suggestions=False)
                seen[key] = problems[0].code if problems else None
            code = seen[key]
            if code is None:
                continue
            address = Address.from_dict(value)
            out.append(
                ADDRESS_TEXTS["import_line"].format(
                    sor_code=record.sor_code,
                    name=record.name,
                    kind=FIELD_LABELS.get(name, name),
                    address=address.one_line() if address is not None else "",
                    problem=ADDRESS_TEXTS[code],
                    code=code,
                )
            )
    return out
