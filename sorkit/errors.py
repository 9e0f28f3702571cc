"""sorkit's exceptions, rooted at :class:`SorkitError`. Messages are Danish: stewards read them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class SorkitError(Exception):
    """Base of every error sorkit raises on purpose."""


class UnitNotFound(SorkitError, KeyError):
    """No unit has this SOR code (on the asked date, if one was given)."""

    def __init__(self, sor_code: str, as_of: Any = None):
        self.sor_code = sor_code
        self.as_of = as_of
        when = f" pr. {as_of}" if as_of is not None else ""
        super().__init__(f"Enheden med SOR-kode {sor_code} findes ikke{when}")

    def __str__(self) -> str:
        return str(self.args[0])


class SearchError(SorkitError, ValueError):
    """A search input that cannot be searched (e.g. an invalid SOR code in the SOR-code field)."""


class _BadValue(SorkitError):
    """A field of a public value (a change, an address, a location number) that cannot be used.

    ``owner`` is the value's class, ``field`` the field (``edi_types[2]`` for an item),
    ``value`` what was given.
    """

    def __init__(self, owner: str, field: str, value: Any, expected: str):
        self.owner = owner
        self.field = field
        self.value = value
        shown = repr(value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        super().__init__(
            f"{owner}.{field}: {shown} ({type(value).__name__}) kan ikke bruges; "
            f"forventede {expected}"
        )


class InvalidValueType(_BadValue, TypeError):
    """A field of a public value got a type it cannot take (raised when the value is built)."""


class InvalidValue(_BadValue, ValueError):
    """A field of a public value got the right type in a form it cannot read (e.g. a date)."""


class SchemaError(SorkitError):
    """The file is not a sorkit register, or was made by a newer sorkit."""


class RegisterBusy(SorkitError):
    """Another process kept the register file locked for longer than the wait allows."""

    def __init__(self, path: str, seconds: float):
        self.path = path
        self.seconds = seconds
        super().__init__(
            f"Registret {path} er optaget af en anden bruger eller kørsel; prøvede i "
            f"{seconds:.0f} sekunder. Prøv igen om lidt."
        )


class RegisterUnavailable(SorkitError):
    """The PostgreSQL server of a register cannot be reached (or refuses the login)."""

    def __init__(self, where: str, reason: str):
        self.where = where
        self.reason = reason
        super().__init__(f"Registret {where} kan ikke nås: {reason}")


class StaleSnapshot(SorkitError):
    """Someone else wrote to the register after it was read; re-read and plan again."""

    def __init__(self, expected: int, found: int):
        self.expected = expected
        self.found = found
        super().__init__(
            f"registret er ændret siden det blev læst (generation {expected} -> {found})"
        )


class ChangeRejected(SorkitError):
    """An apply was refused; ``violations`` says why (errors, or warnings not accepted)."""

    def __init__(self, violations: Sequence[Any]):
        self.violations = list(violations)
        lines = [f"{v.code}: {v.message}" for v in self.violations]
        super().__init__("Ændringen blev afvist:\n" + "\n".join(lines))

    @property
    def codes(self) -> list[str]:
        """The violation codes, in order."""
        return [v.code for v in self.violations]


class PlanError(SorkitError, ValueError):
    """A batch plan file could not be read; ``problems`` lists every bad row and column."""

    def __init__(self, problems: Sequence[Any], source: str = ""):
        self.problems = list(problems)
        self.source = source
        head = f"Planen {source} kan ikke læses" if source else "Planen kan ikke læses"
        super().__init__(head + ":\n" + "\n".join(str(p) for p in self.problems))


class SorImportError(SorkitError, ValueError):
    """An export file could not be imported; nothing was written."""


class ReadOnlySQL(SorkitError, PermissionError):
    """``reg.sql`` was given something other than one query: it only reads."""

    def __init__(self, what: str):
        self.what = what
        super().__init__(
            f"reg.sql læser kun ét SELECT ad gangen; {what} er ikke tilladt. Ændringer går "
            "gennem plan/apply. / reg.sql only reads one SELECT at a time; "
            f"{what} is not allowed. Changes go through plan/apply."
        )


class SQLError(SorkitError, ValueError):
    """``reg.sql`` could not parse or run a query (DuckDB's message is kept)."""


class SorExportError(SorkitError, ValueError):
    """A register could not be exported in the asked format; nothing was written."""
