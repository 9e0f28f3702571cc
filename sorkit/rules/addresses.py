"""Address rules (rules.md §4 Addresses): postal, visiting and activity addresses.

Only addresses the change sets are checked (an inherited or "same as" address is the other
unit's or field's business). ``skip_validation`` ("udelad adressevalidering") replaces the
three errors with the ADDRESS_NOT_VALIDATED warning.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sorkit.addresses import AddressRegister
from sorkit.changes import CreateUnit, EditUnit
from sorkit.model import Address
from sorkit.rules import Context, rule
from sorkit.rules.codes import Violation, violation
from sorkit.rules.general import named_fields, unit_code
from sorkit.texts import FIELD_LABELS

ADDRESS_FIELDS = ("postal_address", "visiting_address", "activity_address")


def as_address(value: Any) -> Address | None:
    """An :class:`Address` from an Address or its storage form; None for None and sentinels."""
    if isinstance(value, Address):
        return value
    if isinstance(value, dict):
        return Address.from_dict(value)
    return None


@rule(
    codes=(
        "ADDRESS_POSTCODE_UNKNOWN",
        "ADDRESS_STREET_UNKNOWN",
        "ADDRESS_HOUSE_NUMBER_OUT_OF_RANGE",
        "ADDRESS_NOT_VALIDATED",
        "ADDRESS_REGISTER_NO_COVERAGE",
    ),
    applies_to=(CreateUnit, EditUnit),
    stage="pre",
)
def addresses_valid(ctx: Context) -> Iterator[Violation]:
    """Each address the change sets is in the address register (or explicitly not validated)."""
    named = named_fields(ctx.change)
    code = unit_code(ctx) or None
    register = ctx.addresses or AddressRegister.default()
    for name in ADDRESS_FIELDS:
        address = as_address(named.get(name))
        if address is None:
            continue
        kind = FIELD_LABELS.get(name, name)
        if address.skip_validation:
            yield violation("ADDRESS_NOT_VALIDATED", code, kind=kind, field=name)
            continue
        for problem in register.check(address.street, address.house_number, address.postcode):
            details = dict(problem.details)
            if "suggestions" in details:
                details["suggestions"] = ", ".join(details["suggestions"]) or "-"
            yield violation(problem.code, code, kind=kind, field=name, **details)
