"""Where the street register in use lives, and replacing it atomically.

The shipped register is the national CPR postcode register of 2 February 2015
(``data/reference/addresses/cpr_postregister_2015.zip``). ``sorkit addresses load FILE`` reads
a newer official file (:mod:`sorkit.addresses.formats`), checks it completely, and writes it as one
compact file, ``vejregister.npz``, in the address folder: ``$SORKIT_ADDRESS_DIR`` if set, else
``<data folder>/addresses`` (the data folder is ``$SORKIT_DATA`` or the installation's ``data/``,
the folder that also holds the reference files and the demo register), so every user and the app
of one installation use the same register. The new file is written beside the old one and
renamed over it (an atomic swap): a reader sees the old register or the new one, never half.
Delete ``vejregister.npz`` to go back to the shipped register.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sorkit import refdata
from sorkit.addresses.formats import RoadTable, read_register

FILE_NAME = "vejregister.npz"
SHIPPED_NAME = "cpr_postregister_2015.zip"
#: Format version of ``vejregister.npz``.
STORE_VERSION = 1
#: A register older than this is reported as stale.
STALE_AFTER = dt.timedelta(days=365)


@dataclass(frozen=True)
class RegisterInfo:
    """Which street register is in use: format, extract date, source file, when loaded."""

    fmt: str
    date: dt.date | None
    source: str
    loaded_at: str | None = None
    path: str | None = None

    def is_stale(self, today: dt.date) -> bool:
        """Tell whether the extract is older than a year on ``today`` (unknown date: stale)."""
        return self.date is None or today - self.date > STALE_AFTER


def address_dir() -> Path:
    """The folder of the loaded street register (``$SORKIT_ADDRESS_DIR`` or data/addresses)."""
    env = os.environ.get("SORKIT_ADDRESS_DIR")
    return Path(env) if env else refdata.data_dir() / "addresses"


def loaded_path() -> Path:
    """The path of the loaded register file (it may not exist)."""
    return address_dir() / FILE_NAME


def shipped_path() -> Path:
    """The shipped national register (CPR 370712 of 02-02-2015, zipped)."""
    return refdata.reference_dir() / "addresses" / SHIPPED_NAME


def active_path() -> Path:
    """The register file in use: the loaded one if there is one, else the shipped one."""
    loaded = loaded_path()
    return loaded if loaded.is_file() else shipped_path()


def _join(items: list[str]) -> np.ndarray:
    return np.frombuffer("\n".join(items).encode("utf-8"), dtype=np.uint8)


def _split(data: np.ndarray, count: int) -> list[str]:
    items = data.tobytes().decode("utf-8").split("\n") if count else []
    if len(items) != count:
        raise ValueError(f"expected {count} names, found {len(items)}")
    return items


def save_table(table: RoadTable, path: Path, loaded_at: dt.datetime) -> None:
    """Write ``table`` to ``path`` atomically (temporary file beside it, then renamed)."""
    meta = {
        "version": STORE_VERSION,
        "fmt": table.fmt,
        "date": table.date.isoformat() if table.date else None,
        "source": table.source,
        "loaded_at": loaded_at.isoformat(timespec="seconds"),
        "districts": table.districts,
        "roads": len(table.kom),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=".vejregister-", suffix=".npz", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            np.savez_compressed(
                out,
                meta=_join([json.dumps(meta, ensure_ascii=False)]),
                kom=table.kom,
                vej=table.vej,
                names=_join(table.names),
                short_names=_join(table.short_names),
                road=table.road,
                side=table.side,
                lo=table.lo,
                hi=table.hi,
                postcode=table.postcode,
            )
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)  # the app may run as another user of the installation
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_table(path: Path) -> tuple[RoadTable, str | None]:
    """Read a register written by :func:`save_table`; returns the table and when it was loaded."""
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(data["meta"].tobytes().decode("utf-8"))
        if meta.get("version") != STORE_VERSION:
            raise ValueError(f"{path}: unknown version {meta.get('version')!r}")
        roads = int(meta["roads"])
        table = RoadTable(
            kom=data["kom"],
            vej=data["vej"],
            names=_split(data["names"], roads),
            short_names=_split(data["short_names"], roads),
            road=data["road"],
            side=data["side"],
            lo=data["lo"],
            hi=data["hi"],
            postcode=data["postcode"],
            districts=dict(meta["districts"]),
            fmt=str(meta["fmt"]),
            date=dt.date.fromisoformat(meta["date"]) if meta.get("date") else None,
            source=str(meta["source"]),
        )
    return table, meta.get("loaded_at")


def read_active(path: Path) -> tuple[RoadTable, RegisterInfo]:
    """Read the register file at ``path`` (the loaded ``.npz`` or an official file)."""
    if path.suffix == ".npz":
        table, loaded_at = load_table(path)
    else:
        table, loaded_at = read_register(path), None
    info = RegisterInfo(table.fmt, table.date, table.source, loaded_at, str(path))
    return table, info
