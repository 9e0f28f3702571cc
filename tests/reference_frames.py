"""The row-by-row table builders as they were before issue #8's columnar ones (test oracle).

``unit_frame`` and ``hierarchy`` here are verbatim copies of ``sorkit.frames`` (now
``sorkit.search.frames``) at commit 0bfab81; the tests compare the fast builders with them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pandas as pd

from sorkit import refdata
from sorkit.dates import valid_to_to_last_day
from sorkit.search.frames import UNIT_COLUMNS, PathCache
from sorkit.snapshot import Snapshot

PATH_SEPARATOR = " / "


def unit_frame(
    snap: Snapshot, codes: Iterable[str], day: dt.date, paths: PathCache | None = None
) -> pd.DataFrame:
    """One row per unit in ``codes`` (in that order), described as on ``day``."""
    paths = paths or PathCache(snap, day)
    type_names = refdata.unit_type_names()
    rows = []
    for code in codes:
        v = snap.reference_version(code, day)
        if v is None:
            continue
        parent_name = None
        if v.parent is not None:
            pv = snap.reference_version(v.parent, day)
            parent_name = pv.name if pv is not None else None
        end = snap.end(code)
        rows.append(
            (
                code,
                v.name,
                v.level,
                v.unit_type,
                type_names.get(v.unit_type) if v.unit_type else None,
                v.parent,
                parent_name,
                paths.path(code),
                snap.first_from(code),
                valid_to_to_last_day(end),
                snap.status(code, day),
            )
        )
    frame = pd.DataFrame.from_records(rows, columns=UNIT_COLUMNS)
    return frame


def hierarchy(snap: Snapshot, day: dt.date) -> pd.DataFrame:
    """Every unit valid on ``day`` with its path, in path order (the columns of unit_frame).

    Whole-register work is done on columns (Arrow compute), not unit by unit: the versions in
    force are filtered at once, each unit's parent found by one hash lookup, and the paths grown
    one tree level per step, so 200,000 units take a fraction of a second.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    table = _with_unit_facts(snap.tree_table())
    if not table.num_rows:
        return pd.DataFrame(columns=UNIT_COLUMNS)
    d = pa.scalar(day, pa.date32())
    in_force = pc.and_(
        pc.less_equal(table.column("valid_from"), d),
        pc.or_kleene(pc.is_null(table.column("valid_to")), pc.greater(table.column("valid_to"), d)),
    )
    on = table.filter(in_force)
    codes, names = on.column("sor_code").combine_chunks(), on.column("name").combine_chunks()
    parent_at = pc.index_in(on.column("parent"), value_set=codes)
    path: pa.Array = names
    above = parent_at
    for _ in range(64):  # one tree level per step
        has = pc.is_valid(above)
        if not pc.any(has).as_py():
            break
        path = pc.if_else(has, pc.binary_join_element_wise(pc.take(names, above), path, SEP), path)
        above = pc.take(parent_at, above)
    end = on.column("unit_end")
    last_day = pc.cast(
        pc.subtract(pc.cast(end, pa.int32()), pa.scalar(1, pa.int32())), pa.int32()
    ).cast(pa.date32())
    type_names = refdata.unit_type_names()
    kinds = on.column("unit_type").combine_chunks().dictionary_encode()
    kind_names = pa.array(
        [type_names.get(k) if k else None for k in kinds.dictionary.to_pylist()], pa.string()
    )
    result = pa.table(
        {
            "sor_code": codes,
            "name": names,
            "level": on.column("level"),
            "unit_type": on.column("unit_type"),
            "unit_type_name": pc.take(kind_names, kinds.indices),
            "parent_sor_code": on.column("parent"),
            "parent_name": pc.take(names, parent_at),
            "path": path,
            "valid_from": on.column("unit_from"),
            "last_day": last_day,
            "status": pc.if_else(pc.is_null(end), "active", "closing"),
        }
    )
    return result.take(pc.sort_indices(path)).to_pandas()


_FACTS: list[tuple[Any, Any]] = []  # (tree table, the same with unit facts): the last one


def _with_unit_facts(table: Any) -> Any:
    """The tree table with each unit's first day and end on every row (cached per table)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for source, done in _FACTS:
        if source is table:
            return done
    units = table.group_by("sor_code").aggregate(
        [("valid_from", "min"), ("valid_to", "max"), ("valid_to", "count"), ("sor_code", "count")]
    )
    open_ended = pc.less(units.column("valid_to_count"), units.column("sor_code_count"))
    unit_end = pc.if_else(open_ended, pa.scalar(None, pa.date32()), units.column("valid_to_max"))
    at_unit = pc.index_in(table.column("sor_code"), value_set=units.column("sor_code"))
    done = table.append_column("unit_from", pc.take(units.column("valid_from_min"), at_unit))
    done = done.append_column("unit_end", pc.take(unit_end, at_unit))
    _FACTS[:] = [(table, done)]
    return done


SEP = PATH_SEPARATOR


def roots(reg: Any, as_of: dt.date | None = None) -> pd.DataFrame:
    """``Register.roots`` (all IEs) as it was at commit 0bfab81."""
    day, snap = reg._day(as_of), reg.snapshot()
    codes = [
        c
        for c in snap.codes()
        if (v := snap.reference_version(c, day)) is not None
        and v.parent is None
        and snap.status(c, day) != "closed"
    ]
    frame = unit_frame(snap, codes, day)
    return (
        frame.sort_values("name", key=lambda s: s.str.casefold(), ignore_index=True)
        if len(frame)
        else frame
    )
