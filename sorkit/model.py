"""Value types of the register: addresses, location numbers, stored versions and read units.

Stored values ("storage form") are plain JSON-able data: an address is a dict, a location number
a dict, lists are tuples. :class:`Address` and :class:`LocationNumber` are the typed faces of
those dicts that users and change values work with.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any, NamedTuple

from sorkit.errors import InvalidValue, InvalidValueType
from sorkit.ids import clean_digits

LEVELS = ("IE", "SI", "OE")
STATUSES = ("active", "future", "closing", "closed")

ADDRESS_KEYS = ("street", "house_number", "postcode", "floor", "door", "city", "skip_validation")
LOCATION_NUMBER_KEYS = (
    "gln",
    "region",
    "edb_system",
    "system_supplier",
    "net_operator",
    "administrator",
    "only_internal",
    "inactive",
    "edi_types",
    "note",
)


@dataclass(frozen=True)
class Address:
    """A Danish postal, visiting or activity address.

    ``skip_validation`` is the guide's "udelad adressevalidering": the address is kept even if
    the address register does not know it (a warning the steward must accept).
    """

    street: str
    house_number: str
    postcode: str
    floor: str | None = None
    door: str | None = None
    city: str | None = None
    skip_validation: bool = False

    def __post_init__(self) -> None:
        normalise(self, _ADDRESS_FIELDS)

    def to_dict(self) -> dict[str, Any]:
        """Return the storage form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Address | None:
        """Build an address from its storage form (None stays None)."""
        if data is None:
            return None
        return cls(
            street=str(data.get("street") or ""),
            house_number=str(data.get("house_number") or ""),
            postcode=str(data.get("postcode") or ""),
            floor=data.get("floor") or None,
            door=data.get("door") or None,
            city=data.get("city") or None,
            skip_validation=bool(data.get("skip_validation") or False),
        )

    def one_line(self) -> str:
        """Format as one line, the way Danish addresses are written."""
        parts = f"{self.street} {self.house_number}".strip()
        if self.floor:
            parts += f", {self.floor}."
            if self.door:
                parts += f" {self.door}"
        city = f"{self.postcode} {self.city or ''}".strip()
        return f"{parts}, {city}" if city else parts


@dataclass(frozen=True)
class LocationNumber:
    """A location number (lokationsnummer, GLN) with its EDI attributes.

    ``gln=None`` asks for a new number: the change engine gives the next free number of the
    register's GS1 range when the change is applied (see :mod:`sorkit.gln.allocation`). The number
    and the codes (region, EDB-system, system supplier, net operator, administrator) may be
    given as ``int`` or ``str`` and are kept as text; any other type is a ``TypeError`` naming
    the field. EDI types may be ``str`` (or ``int``) and are kept as text.
    """

    gln: str | None
    region: str | None = None
    edb_system: str | None = None
    system_supplier: str | None = None
    net_operator: str | None = None
    administrator: str | None = None
    only_internal: bool = False
    inactive: bool = False
    edi_types: tuple[str, ...] = field(default_factory=tuple)
    note: str | None = None

    def __post_init__(self) -> None:
        normalise(self, _LOCATION_NUMBER_FIELDS)
        # Codes are kept stripped (blank: None); gln None asks for a new number, while a blank
        # text stays a (wrong) number of its own.
        gln = code_text(self.gln, "gln")
        object.__setattr__(self, "gln", "" if gln is None and self.gln is not None else gln)
        for name in LOCATION_CODE_FIELDS:
            object.__setattr__(self, name, code_text(getattr(self, name), name))
        object.__setattr__(
            self, "edi_types", tuple(code_text(t, "edi_types") or "" for t in self.edi_types)
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the storage form."""
        data = asdict(self)
        data["edi_types"] = tuple(self.edi_types)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> LocationNumber | None:
        """Build a location number from its storage form (None stays None)."""
        if data is None:
            return None
        return cls(
            gln=str(data.get("gln") or ""),
            region=_opt_str(data.get("region")),
            edb_system=_opt_str(data.get("edb_system")),
            system_supplier=_opt_str(data.get("system_supplier")),
            net_operator=_opt_str(data.get("net_operator")),
            administrator=_opt_str(data.get("administrator")),
            only_internal=bool(data.get("only_internal") or False),
            inactive=bool(data.get("inactive") or False),
            edi_types=tuple(str(t) for t in (data.get("edi_types") or ())),
            note=_opt_str(data.get("note")),
        )


#: The coded EDI attributes of a location number (SOR: RegionCode, SystemType, SystemSupplier,
#: CommunicationSupplier, EdiAdministrator).
LOCATION_CODE_FIELDS = ("region", "edb_system", "system_supplier", "net_operator", "administrator")


def code_text(value: object, name: str) -> str | None:
    """A code given as ``int`` or ``str`` as stripped text (None or blank: None).

    Raises:
        TypeError: any other type (a float, a bool, a list...), naming the field.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(
            f"LocationNumber: {name} skal være en kode som tekst eller heltal, "
            f"ikke {type(value).__name__} ({value!r})"
        )
    text = str(value).strip()
    return text or None


def _opt_str(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


# -- types at the door ------------------------------------------------------------------------
#
# Every public value (Address, LocationNumber here; CreateUnit, EditUnit, MoveUnit, CloseUnit,
# SetLocationNumber in sorkit.changes) runs its fields through a table ``field -> normaliser``
# when it is built (:func:`normalise`). A normaliser turns what is reasonable into the field's
# one type (an int code into text, ISO or dd-mm-åååå text into a date, a list into a tuple, a
# dict into an Address) and raises InvalidValueType (a TypeError) or InvalidValue (a
# ValueError) naming the value's class, the field and the value for anything else, so a wrong
# type fails at once instead of deep inside a rule. Only types and forms are checked here; the
# rules judge the content when the change is planned.

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
    for key, fix in table.items():
        object.__setattr__(obj, key, fix(name, key, getattr(obj, key)))


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


def _slot_text(owner: str, field: str, value: Any) -> str | None:
    # A local attribute's slot: None is an empty slot ("") before a filled one.
    return "" if value is None else text(owner, field, value)


#: Local attributes by slot (item i is LocalAttribute{i+1}); None marks an empty slot.
slot_texts = _items(_slot_text, "tekster")
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
    known = {f.name for f in fields(cls)}
    unknown = sorted(str(k) for k in value if k not in known)
    if unknown:
        raise InvalidValue(owner, field, value, f"en {cls.__name__} ({', '.join(sorted(known))})")
    try:
        return cls(**{str(k): v for k, v in value.items()})
    except TypeError as exc:  # a required part missing
        if isinstance(exc, InvalidValueType):
            raise
        raise InvalidValue(owner, field, value, f"en hel {cls.__name__}") from None


def _field_tables() -> tuple[dict[str, Any], dict[str, Any]]:
    """The normalisers of Address and LocationNumber."""
    address_fields = {
        "street": required(text),
        "house_number": required(code),
        "postcode": required(postcode),
        "floor": code,
        "door": code,
        "city": text,
        "skip_validation": flag,
    }
    location_fields = {
        "gln": code,  # None: allocate a new number (sorkit.gln)
        "region": code,
        "edb_system": code,
        "system_supplier": code,
        "net_operator": code,
        "administrator": code,
        "only_internal": flag,
        "inactive": flag,
        "edi_types": codes,
        "note": text,
    }
    return address_fields, location_fields


_ADDRESS_FIELDS, _LOCATION_NUMBER_FIELDS = _field_tables()


#: The fields of a unit's state, in storage order, with their defaults. A change names a subset.
STATE_FIELDS: dict[str, Any] = {
    "level": None,
    "parent": None,
    "name": None,
    "unit_type": None,
    "postal_address": None,  # None: inherit from the parent
    "visiting_address": None,  # None: same as postal
    "activity_address": None,  # None: same as visiting
    "inherit_electronic": False,
    "phone": None,
    "email": None,
    "website": None,
    "fax": None,
    "location_number": None,
    "inherit_location_number": False,
    "local_attributes": (),
    "specialities": (),
    "shak": None,
    "ydernummer": None,
    "pharmacy_id": None,
    "cvr": None,
    "p_number": None,
    "local_code": None,
    "replaces": (),
    "replaced_by": (),
}

#: Fields a steward may change with EditUnit (everything but level and parent).
EDITABLE_FIELDS = tuple(f for f in STATE_FIELDS if f not in ("level", "parent"))


class Version(NamedTuple):
    """One stored version of a unit: its state on ``[valid_from, valid_to)``."""

    sor_code: str
    valid_from: dt.date
    valid_to: dt.date | None
    level: str
    parent: str | None
    name: str
    unit_type: str | None
    postal_address: Mapping[str, Any] | None
    visiting_address: Mapping[str, Any] | None
    activity_address: Mapping[str, Any] | None
    inherit_electronic: bool
    phone: str | None
    email: str | None
    website: str | None
    fax: str | None
    location_number: Mapping[str, Any] | None
    inherit_location_number: bool
    local_attributes: tuple[str, ...]
    specialities: tuple[str, ...]
    shak: str | None
    ydernummer: str | None
    pharmacy_id: str | None
    cvr: str | None
    p_number: str | None
    local_code: str | None
    replaces: tuple[str, ...]
    replaced_by: tuple[str, ...]
    set_fields: tuple[str, ...] = ()
    change_id: str | None = None
    recorded_at: dt.datetime | None = None
    recorded_by: str | None = None
    version_id: int | None = None

    def state(self) -> dict[str, Any]:
        """Return the unit state held by this version (the STATE_FIELDS only)."""
        return {name: getattr(self, name) for name in STATE_FIELDS}

    def same_content(self, other: Version) -> bool:
        """True if both versions hold the same state on the same interval."""
        return (
            self.valid_from == other.valid_from
            and self.valid_to == other.valid_to
            and self.state() == other.state()
        )


VERSION_COLUMNS = Version._fields


class Event(NamedTuple):
    """One change event of one unit: ``assignments`` hold from ``effective_from`` onward.

    ``kind`` is the operation (create, edit, move, close, location_number, import). A close
    event ends the unit: its ``effective_from`` is the first day the unit is closed
    (SOR's last day + 1). Versions are a projection of a unit's current events.
    """

    event_id: int | None
    change_id: str
    sor_code: str
    effective_from: dt.date
    kind: str
    assignments: Mapping[str, Any]
    recorded_at: dt.datetime | None = None
    recorded_by: str | None = None


def version_from_state(
    sor_code: str,
    valid_from: dt.date,
    valid_to: dt.date | None,
    state: Mapping[str, Any],
    *,
    set_fields: tuple[str, ...] = (),
    change_id: str | None = None,
    recorded_at: dt.datetime | None = None,
    recorded_by: str | None = None,
) -> Version:
    """Build a :class:`Version` from a state dict (missing fields take their defaults)."""
    values = {
        name: normalise_field(name, state.get(name, default))
        for name, default in STATE_FIELDS.items()
    }
    return Version(
        sor_code=sor_code,
        valid_from=valid_from,
        valid_to=valid_to,
        set_fields=tuple(sorted(set_fields)),
        change_id=change_id,
        recorded_at=recorded_at,
        recorded_by=recorded_by,
        **values,
    )


_TUPLE_FIELDS = {"local_attributes", "specialities", "replaces", "replaced_by"}
_BOOL_FIELDS = {"inherit_electronic", "inherit_location_number"}
_STR_FIELDS = {
    "parent",
    "name",
    "unit_type",
    "phone",
    "email",
    "website",
    "fax",
    "shak",
    "ydernummer",
    "pharmacy_id",
    "cvr",
    "p_number",
    "local_code",
    "level",
}


def local_attribute_slots(values: Any) -> tuple[str, ...]:
    """Local attributes by slot: item ``i`` is SOR's ``LocalAttribute{i + 1}``.

    An empty slot before a filled one is ``""`` (a unit with only its third attribute is
    ``("", "", "x")``); None and blank values count as empty, and empty slots at the end are
    dropped, so equal attributes have one storage form.
    """
    out = ["" if v is None or not str(v).strip() else str(v) for v in (values or ())]
    while out and out[-1] == "":
        out.pop()
    return tuple(out)


def normalise_field(name: str, value: Any) -> Any:
    """Bring a field value into storage form (tuples, plain dicts, str, bool)."""
    if name == "local_attributes":
        return local_attribute_slots(value)
    if name in _TUPLE_FIELDS:
        return tuple(str(v) for v in (value or ()))
    if name in _BOOL_FIELDS:
        return bool(value)
    if name in _STR_FIELDS:
        return None if value is None or value == "" else str(value)
    if name in ("postal_address", "visiting_address", "activity_address"):
        if value is None or isinstance(value, str):
            return None
        if isinstance(value, Address):
            return _freeze(value.to_dict())
        return _freeze({k: value.get(k) for k in ADDRESS_KEYS})
    if name == "location_number":
        if value is None:
            return None
        if isinstance(value, LocationNumber):
            return _freeze(value.to_dict())
        data = {k: value.get(k) for k in LOCATION_NUMBER_KEYS}
        data["edi_types"] = tuple(data.get("edi_types") or ())
        return _freeze(data)
    return value


class _FrozenDict(dict[str, Any]):
    """A hashable dict that refuses changes (storage-form addresses and location numbers).

    A loaded snapshot shares one of these between every version holding an equal value, so
    changing one in place would change them all: copy it (``dict(value)``) to edit.
    """

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted((k, repr(v)) for k, v in self.items())))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_FrozenDict, (dict(self),))

    def _refuse(self, *_args: Any, **_kwargs: Any) -> Any:
        raise TypeError("a stored value is shared and cannot be changed; copy it with dict()")

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]


def _freeze(data: Mapping[str, Any]) -> Mapping[str, Any]:
    return _FrozenDict(data)


@dataclass(frozen=True)
class Unit:
    """A unit as read on one date, with inherited values resolved.

    ``inherited`` maps each inherited field to the SOR code of the unit that actually holds the
    value (which may be several levels up). ``own`` holds the unit's own stored settings.
    """

    sor_code: str
    level: str
    name: str
    unit_type: str | None
    unit_type_name: str | None
    parent: str | None
    valid_from: dt.date
    last_day: dt.date | None
    status: str
    as_of: dt.date
    postal_address: Address | None
    visiting_address: Address | None
    activity_address: Address | None
    phone: str | None
    email: str | None
    website: str | None
    fax: str | None
    location_number: LocationNumber | None
    local_attributes: tuple[str, ...]
    specialities: tuple[str, ...]
    shak: str | None
    ydernummer: str | None
    pharmacy_id: str | None
    cvr: str | None
    p_number: str | None
    local_code: str | None
    replaces: tuple[str, ...]
    replaced_by: tuple[str, ...]
    inherited: dict[str, str]
    version_from: dt.date
    version_to: dt.date | None
    own: dict[str, Any]

    @property
    def valid_to(self) -> dt.date | None:
        """The exclusive end of the unit's life (``last_day + 1``), None while open."""
        return None if self.last_day is None else self.last_day + dt.timedelta(days=1)
