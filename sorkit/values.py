"""Types at the door: the normalisers every public value runs its fields through when it is built.

``CreateUnit``, ``EditUnit``, ``MoveUnit``, ``CloseUnit``, ``SetLocationNumber``,
``LocationNumber`` and ``Address`` call :func:`normalise` in ``__post_init__`` with a table
``field -> normaliser``. A normaliser turns what is reasonable into the field's one type (an int
code into text, ISO or ``dd-mm-åååå`` text into a ``date``, a list into a tuple, a dict into an
``Address``) and raises :class:`~sorkit.errors.InvalidValueType` (a ``TypeError``) or
:class:`~sorkit.errors.InvalidValue` (a ``ValueError``), naming the value, the field and the
value, for anything else, so a wrong type fails at once instead of deep inside a rule.

Only types and forms are checked here; whether a code is a known SOR code, a phone has eight
digits or a date is allowed is judged by the rules when the change is planned.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sorkit.errors import InvalidValue, InvalidValueType
from sorkit.ids import clean_digits

#: A normaliser: (owner, field, value) -> the normalised value, or raises.
Normaliser = Callable[[str, str, Any], Any]

_DA_DATE = "dd-mm-åååå"


def normalise(obj: object, table: Mapping[str, Normaliser], owner: str | None = None) -> None:
    """Run every field of the frozen dataclass ``obj`` named in ``table`` through its normaliser.

    Raises:
        InvalidValueType: a field has a type that cannot mean a value of that field.
        InvalidValue: a field has the right type but a form that cannot be read (a bad date).
    """
    name = owner or type(obj).__name__
    for field, fix in table.items():
        object.__setattr__(obj, field, fix(name, field, getattr(obj, field)))


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def text(owner: str, field: str, value: Any) -> str | None:
    """Text or None; nothing else (a number is not a name)."""
    if value is None or isinstance(value, str):
        return None if value is None else str(value)
    raise InvalidValueType(owner, field, value, "tekst")


def code(owner: str, field: str, value: Any) -> str | None:
    """A code kept as text (type, region, phone, CVR, ...): text, or an integer as its digits."""
    if value is None or isinstance(value, str):
        return None if value is None else str(value)
    if _is_int(value):
        return str(int(value))
    raise InvalidValueType(owner, field, value, "tekst eller et heltal")


def sor_code(owner: str, field: str, value: Any) -> str:
    """A SOR code: text or an integer (Excel's whole-number floats too), tidied; None is ''."""
    if value is None:
        return ""
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise InvalidValueType(owner, field, value, "en SOR-kode (tekst eller et heltal)")
    if isinstance(value, (str, float)) or _is_int(value):
        return clean_digits(int(value) if _is_int(value) else value)
    raise InvalidValueType(owner, field, value, "en SOR-kode (tekst eller et heltal)")


def optional_sor_code(owner: str, field: str, value: Any) -> str | None:
    """A SOR code or None."""
    return None if value is None else sor_code(owner, field, value)


def day(owner: str, field: str, value: Any) -> dt.date | None:
    """A date or None.

    A ``date``, a ``datetime`` (its date), or text ``åååå-mm-dd`` or ``dd-mm-åååå`` (blank
    text is None).
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value != value:  # pandas' NaT is a datetime that equals nothing
            return None
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise InvalidValueType(owner, field, value, f"en dato (date, åååå-mm-dd eller {_DA_DATE})")
    raw = value.strip()
    if not raw:
        return None
    try:
        if len(raw) == 10 and raw[2] == "-" and raw[5] == "-":
            return dt.date(int(raw[6:]), int(raw[3:5]), int(raw[:2]))
        if len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
            return dt.date.fromisoformat(raw)
    except ValueError:
        pass
    raise InvalidValue(owner, field, value, f"en gyldig dato (åååå-mm-dd eller {_DA_DATE})")


def flag(owner: str, field: str, value: Any) -> bool:
    """True or False (numpy's booleans too); nothing else."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    raise InvalidValueType(owner, field, value, "True eller False")


def _items(item: Normaliser, what: str) -> Normaliser:
    def fix(owner: str, field: str, value: Any) -> tuple[Any, ...]:
        if value is None:
            return ()
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
            raise InvalidValueType(owner, field, value, f"en liste af {what}")
        out = []
        for i, element in enumerate(value):
            fixed = item(owner, f"{field}[{i}]", element)
            if fixed is None:
                raise InvalidValueType(owner, f"{field}[{i}]", element, what)
            out.append(fixed)
        return tuple(out)

    return fix


#: A list of texts (local attributes): a tuple of str.
texts = _items(text, "tekster")
#: A list of codes (specialities, EDI types): a tuple of str (integers become their digits).
codes = _items(code, "koder")
#: A list of SOR codes (replaces, replaced by).
sor_codes = _items(sor_code, "SOR-koder")


def postcode(owner: str, field: str, value: Any) -> str | None:
    """A postcode: text, or an integer as four digits (800 is '0800')."""
    if _is_int(value) and 0 <= int(value) < 10_000:
        return f"{int(value):04d}"
    return code(owner, field, value)


def address(owner: str, field: str, value: Any) -> Any:
    """An :class:`~sorkit.model.Address`, its dict form, or None."""
    from sorkit.model import Address

    if value is None or isinstance(value, Address):
        return value
    if isinstance(value, Mapping):
        return _from_mapping(Address, owner, field, value)
    raise InvalidValueType(owner, field, value, "en Address (eller None)")


def address_or(sentinel: str) -> Normaliser:
    """An address, None, or the text ``sentinel`` ("same_as_postal" / "same_as_visiting")."""

    def fix(owner: str, field: str, value: Any) -> Any:
        if isinstance(value, str):
            if value == sentinel:
                return value
            raise InvalidValue(owner, field, value, f"en Address, None eller '{sentinel}'")
        return address(owner, field, value)

    return fix


def location_number(owner: str, field: str, value: Any) -> Any:
    """A :class:`~sorkit.model.LocationNumber`, its dict form, or None."""
    from sorkit.model import LocationNumber

    if value is None or isinstance(value, LocationNumber):
        return value
    if isinstance(value, Mapping):
        return _from_mapping(LocationNumber, owner, field, value)
    raise InvalidValueType(owner, field, value, "et LocationNumber (eller None)")


def required(fix: Normaliser) -> Normaliser:
    """``fix``, but None is refused (a part every value of the kind must have)."""

    def checked(owner: str, field: str, value: Any) -> Any:
        if value is None:
            raise InvalidValueType(owner, field, value, "en værdi (feltet skal udfyldes)")
        return fix(owner, field, value)

    return checked


def choice(options: tuple[str, ...]) -> Normaliser:
    """One of ``options`` or None."""

    def fix(owner: str, field: str, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise InvalidValueType(owner, field, value, " eller ".join(options))
        if value.strip() not in options:
            raise InvalidValue(owner, field, value, " eller ".join(options))
        return value.strip()

    return fix


def _from_mapping(cls: Any, owner: str, field: str, value: Mapping[str, Any]) -> Any:
    """Build an Address/LocationNumber from a dict with its field names (a clear error else)."""
    import dataclasses

    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(str(k) for k in value if k not in known)
    if unknown:
        raise InvalidValue(owner, field, value, f"en {cls.__name__} ({', '.join(sorted(known))})")
    try:
        return cls(**{str(k): v for k, v in value.items()})
    except TypeError as exc:  # a required part missing
        if isinstance(exc, InvalidValueType):
            raise
        raise InvalidValue(owner, field, value, f"en hel {cls.__name__}") from None


__all__ = [
    "Normaliser",
    "address",
    "address_or",
    "choice",
    "code",
    "codes",
    "day",
    "flag",
    "location_number",
    "normalise",
    "optional_sor_code",
    "postcode",
    "required",
    "sor_code",
    "sor_codes",
    "text",
    "texts",
]
