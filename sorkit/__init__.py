"""sorkit: keep the Danish health-care organisation register (SOR) correct, in Jupyter.

The public API (see docs and ``shared/spec/api.md``)::

    import sorkit
    reg = sorkit.demo_register()
    reg.search("*tandpleje*")
    plan = reg.plan(sorkit.MoveUnit(sor_code=..., new_parent=...))
    reg.apply(plan, reason="...")
"""

from __future__ import annotations

from typing import Any

from sorkit import gln, ids
from sorkit.changes import CloseUnit, CreateUnit, EditUnit, MoveUnit, SetLocationNumber
from sorkit.engine import Applied, Plan
from sorkit.errors import (
    ChangeRejected,
    InvalidValue,
    InvalidValueType,
    PlanError,
    RegisterBusy,
    RegisterUnavailable,
    SchemaError,
    SearchError,
    SorImportError,
    SorkitError,
    UnitNotFound,
)
from sorkit.model import Address, LocationNumber, Unit
from sorkit.register import Register, open_register
from sorkit.rules.codes import Violation
from sorkit.version import __version__ as __version__


def demo_register(path: Any = None, today: Any = None, user: str | None = None) -> Register:
    """The deterministic demo register (built on first use; see :mod:`sorkit.demo`).

    Args:
        path: a file to build it in (reused if it already holds the demo); None = in-memory.
        today: the register's today (default: the real date).
        user: who opens it (default ``admin``).
    """
    from sorkit.demo import demo_register as _demo

    return _demo(path=path, today=today, user=user)


def read_plan(path: Any, **options: Any) -> Any:
    """Read a batch plan (CSV, XLSX or YAML) into a list of changes; see :mod:`sorkit.batch`."""
    from sorkit.batch import read_plan as _read

    return _read(path, **options)


def import_sor_xml(reg: Register, path: Any, **options: Any) -> Any:
    """Import a SOR XML complete export; see :mod:`sorkit.importers`."""
    from sorkit.importers import import_sor_xml as _imp

    return _imp(reg, path, **options)


def import_sor_csv(reg: Register, path: Any, **options: Any) -> Any:
    """Import a SOR CSV export; see :mod:`sorkit.importers`."""
    from sorkit.importers import import_sor_csv as _imp

    return _imp(reg, path, **options)


def export(
    reg: Register,
    path: Any,
    format: str = "parquet",
    as_of: Any = None,
    *,
    include_closed: bool | None = None,
) -> Any:
    """Export the register as Parquet, CSV, FHIR or SOR XML; see :func:`sorkit.exporters.export`.

    ``include_closed`` defaults to True for SOR XML and Parquet, False for CSV and FHIR.
    """
    from sorkit.exporters import export as _exp

    return _exp(reg, path, format=format, as_of=as_of, include_closed=include_closed)


__all__ = [
    "Address",
    "Applied",
    "ChangeRejected",
    "CloseUnit",
    "CreateUnit",
    "EditUnit",
    "InvalidValue",
    "InvalidValueType",
    "LocationNumber",
    "MoveUnit",
    "Plan",
    "PlanError",
    "Register",
    "RegisterBusy",
    "RegisterUnavailable",
    "SchemaError",
    "SearchError",
    "SetLocationNumber",
    "SorImportError",
    "SorkitError",
    "Unit",
    "UnitNotFound",
    "Violation",
    "demo_register",
    "export",
    "gln",
    "ids",
    "import_sor_csv",
    "import_sor_xml",
    "open_register",
    "read_plan",
]
