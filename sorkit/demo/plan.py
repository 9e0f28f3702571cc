"""What the demo register holds: regions, municipalities, hospitals, practices and changes.

History, closed units and pending changes are laid out on a
:class:`~sorkit.demo.builder.DemoBuilder`.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING, Any

from sorkit import refdata
from sorkit.demo import data as D
from sorkit.ids import make_cvr

if TYPE_CHECKING:
    from sorkit.demo.builder import DemoBuilder

START = dt.date(2007, 1, 1)


def _cvr(b: DemoBuilder) -> str:
    while True:
        cvr = make_cvr(f"{b.rng.randrange(1_000_000, 9_999_999)}")
        if cvr:
            return cvr


def _web(slug: str) -> dict[str, Any]:
    return {"email": f"kontakt@{slug}.dk", "website": f"www.{slug}.dk"}


def build_base(b: DemoBuilder) -> None:
    """The regions with their hospitals, the municipalities and a set of GP practices."""
    regions = refdata.regions()
    for _, r in regions.iterrows():
        code = str(r["code"])
        slug = D.ascii_slug(str(r["short_name"]))
        ie = b.add(
            None,
            str(r["name"]),
            D.OWNER_REGION,
            start=START,
            cvr=_cvr(b),
            kommune=_first_kommune(code),
            **_web("regionh" if code == "1084" else slug),
        )
        b.regions[code] = ie
        for name, shak in D.HOSPITALS.get(code, []):
            _hospital(b, ie, name, shak, code)
    fixture_ie = {"København": ("21000016006", "64942212"), "Aarhus": ("311000016009", "55133018")}
    for _, m in refdata.municipalities().iterrows():
        if not str(m["region_code"]):
            continue  # Christiansø lies outside the municipal division
        _municipality(
            b, str(m["code"]), str(m["name"]), str(m["region_code"]), fixture_ie.get(str(m["name"]))
        )
    _practices(b)


def _first_kommune(region: str) -> str:
    table = refdata.municipalities()
    return str(table[table["region_code"] == region]["code"].iloc[0])


def _hospital(b: DemoBuilder, region_ie: str, name: str, shak: str, region: str) -> None:
    si = b.add(
        region_ie,
        name,
        D.SI_HOSPITAL,
        shak=shak[:4],
        inherit_electronic=False,
        phone=b._phone(),
        postal_address=b._address(b.units[region_ie].kommune),
        location_number=b._location_number(region),
        inherit_location_number=False,
    )
    for i, (dept, unit_type, speciality) in enumerate(D.DEPARTMENTS):
        dept_shak = f"{shak[:4]}{i + 1:02d}"
        d = b.add(
            si,
            dept,
            unit_type,
            shak=dept_shak,
            inherit_electronic=False,
            phone=b._phone(),
            specialities=(speciality,) if speciality else (),
            location_number=b._location_number(region, edi=i != 3),
            inherit_location_number=False,
        )
        for j, section in enumerate(D.SECTIONS):
            b.add(
                d,
                f"{dept}, {section}",
                D.OE_CLINICAL,
                shak=f"{dept_shak}{j}",
                specialities=(speciality,) if speciality else (),
            )


def _municipality(
    b: DemoBuilder, kommune: str, name: str, region: str, real: tuple[str, str] | None
) -> None:
    full = D.municipality_name(name)
    slug = D.ascii_slug(full)
    fields: dict[str, Any] = {"cvr": real[1] if real else _cvr(b), **_web(slug)}
    if kommune == D.ALLEROED:
        street, number, postcode, city = D.ALLEROED_TOWN_HALL
        fields["postal_address"] = {
            "street": street,
            "house_number": number,
            "postcode": postcode,
            "city": city,
            "floor": None,
            "door": None,
            "skip_validation": True,
        }
    ie = b.add(
        None,
        full,
        D.OWNER_MUNICIPALITY,
        start=START,
        kommune=kommune,
        code=real[0] if real else None,
        **fields,
    )
    b.municipalities[kommune] = ie
    si = b.add(
        ie,
        f"Sundhed og Omsorg, {name}",
        D.SI_HEALTH_ADMINISTRATION,
        start=START,
        location_number=b._location_number(region),
        inherit_location_number=False,
    )
    for admin in D.ADMINISTRATIVE_UNITS:
        b.add(si, f"{admin}, {name}", D.OE_ADMINISTRATIVE)
    dental = b.add(
        si,
        f"{full}s Tandpleje",
        D.OE_DENTAL_CLINIC,
        inherit_electronic=False,
        phone=b._phone(),
        email=f"tandplejen@{slug}.dk",
        location_number=b._location_number(region),
        inherit_location_number=False,
    )
    schools = D.ALLEROED_SCHOOLS if kommune == D.ALLEROED else D.SCHOOLS[: 1 + b.rng.randrange(3)]
    for school in schools:
        b.add(dental, f"Tandplejen {school}", D.OE_DENTAL_CLINIC)
    if kommune == D.ALLEROED:
        b.add(si, "Blovstrød Skole", D.OE_ADMINISTRATIVE, local_attributes=("skole",))
    care = b.add(si, f"Hjemmeplejen {name}", D.OE_HOME_CARE)
    for district in D.HOME_CARE_DISTRICTS[: 2 + b.rng.randrange(3)]:
        b.add(care, f"Hjemmeplejen {name} {district}", D.OE_HOME_CARE)
    for home in b.rng.sample(D.NURSING_HOMES, 2 + b.rng.randrange(3)):
        own = b.rng.random() < 0.5
        b.add(
            si,
            f"Plejecenter {home}",
            D.OE_NURSING_HOME,
            inherit_electronic=False,
            phone=b._phone(),
            postal_address=b._address(kommune),
            location_number=b._location_number(region) if own else None,
            inherit_location_number=not own,
        )
    for template, unit_type in D.MUNICIPAL_UNITS:
        if b.rng.random() < 0.8 or kommune == D.ALLEROED:
            b.add(si, template.format(m=name), unit_type)


def _practices(b: DemoBuilder) -> None:
    table = refdata.reference_dir() / "sor_fixture_enheder.csv"
    import csv

    with open(table, encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["sor_niveau"] == "SI" and "æge" in r["navn"]]
    kommuner = sorted(b.stream_pools)  # the same municipalities as before #22: same units
    for i, row in enumerate(rows[:120]):
        kommune = kommuner[i % len(kommuner)]
        region = _region(kommune)
        name = row["navn"]
        ie = b.add(
            None,
            name,
            D.OWNER_PRIVATE,
            kommune=kommune,
            cvr=row["cvr"] or _cvr(b),
            start=b._date_between(START, b.today - dt.timedelta(days=800)),
            location_number=b._location_number(region),
        )
        si = b.add(ie, name, D.SI_GP_PRACTICE, code=row["sor_id"])
        b.add(
            si,
            name,
            D.OE_CLINICAL,
            ydernummer=f"{b.rng.randrange(1, 99999):06d}",
            specialities=(D.SPECIALITY_GENERAL_PRACTICE,),
        )


def _region(kommune: str) -> str:
    return region_of(kommune) or "1084"


def region_of(kommune: str | None) -> str | None:
    """The region code of a municipality code (None if unknown)."""
    if kommune is None:
        return None
    return _regions_by_kommune().get(kommune.zfill(4))


@functools.lru_cache(maxsize=1)
def _regions_by_kommune() -> dict[str, str]:
    table = refdata.municipalities()
    return {str(c): str(r) for c, r in zip(table["code"], table["region_code"], strict=True)}


def scale_up(b: DemoBuilder, total: int) -> None:
    """Add generic OEs until there are ``total`` units; a tenth under Rigshospitalet."""
    pool = [u.code for u in b.units.values() if u.level in ("SI", "OE")]
    depth = {c: 1 for c in pool}
    big = b.named["Rigshospitalet"]
    big_pool = [big]
    n = 0
    while len(b.units) < total:
        n += 1
        under_big = n % 10 == 0
        parent = b.rng.choice(big_pool if under_big else pool)
        if depth.get(parent, 1) >= 6:
            continue
        name = f"{b.units[parent].state['name'].split(',')[0]}, team {n}"
        unit_type = D.OE_CLINICAL if b.rng.random() < 0.5 else D.OE_ADMINISTRATIVE
        code = b.add(parent, name[:60], unit_type)
        depth[code] = depth.get(parent, 1) + 1
        (big_pool if under_big else pool).append(code)


def add_history(b: DemoBuilder) -> None:
    """Past edits (phones, e-mails, names), a few past moves and closed units."""
    yesterday = b.today - dt.timedelta(days=1)
    codes = sorted(b.units)
    for code in codes:
        u = b.units[code]
        count = _poisson(b, b.history)
        for day in sorted(
            {b._date_between(u.start + dt.timedelta(days=1), yesterday) for _ in range(count)}
        ):
            roll = b.rng.random()
            if roll < 0.6 or u.level == "IE":
                b._emit(code, day, "edit", {"phone": b._phone(), "inherit_electronic": False})
            elif roll < 0.85:
                value = f"ref-{b.rng.randrange(999)}"
                if u.level == "OE":  # SOR has local attributes on OEs only
                    gap = ("",) * (sum(map(int, code)) % 3)  # some in slot 2 or 3
                    b._emit(code, day, "edit", {"local_attributes": (*gap, value)})
            else:
                slug = D.ascii_slug(u.state["name"])[:20] or "enhed"
                b._emit(
                    code,
                    day,
                    "edit",
                    {
                        "email": f"{slug}@sundhed.dk",
                        "inherit_electronic": False,
                        "phone": b._phone(),
                    },
                )
    last_event: dict[str, dt.date] = {}
    for e in b.events:
        last_event[e.sor_code] = max(e.effective_from, last_event.get(e.sor_code, e.effective_from))
    leaves = [
        c
        for c in codes
        if b.units[c].level == "OE" and not b.units[c].children and b.units[c].kommune != D.ALLEROED
    ]
    for code in b.rng.sample(leaves, max(1, len(leaves) // 30)):
        lo = last_event[code] + dt.timedelta(days=1)
        if lo < yesterday:
            b._emit(code, b._date_between(lo, yesterday), "close", {})
            b.closed.add(code)


def _poisson(b: DemoBuilder, mean: float) -> int:
    whole = int(mean)
    return whole + (1 if b.rng.random() < mean - whole else 0)


def add_pending(b: DemoBuilder) -> int:
    """Pending changes after today, the guide's examples among them; returns their count."""
    alleroed = b.named
    day = b.today
    recorded = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(10))
    pending: list[tuple[str, dt.date, str, dict[str, Any]]] = [
        (
            "Visitationen, Allerød",
            day + dt.timedelta(days=14),
            "move",
            {"parent": alleroed["Sekretariatet, Allerød"]},
        ),
        ("Tandplejen Lyngehus Skolen", day + dt.timedelta(days=31), "close", {}),
        (
            "Hjemmeplejen Allerød",
            day + dt.timedelta(days=10),
            "edit",
            {"phone": "48100200", "inherit_electronic": False},
        ),
    ]
    for name, when, kind, assignments in pending:
        b._emit(alleroed[name], when, kind, assignments, recorded=recorded, by="kommune")
    si = alleroed["Sundhed og Omsorg, Allerød"]
    new = b.add(
        si,
        "Plejecenter Mimosen",
        D.OE_NURSING_HOME,
        start=day + dt.timedelta(days=21),
        inherit_electronic=False,
        phone="48100300",
    )
    b._emit(
        new,
        day + dt.timedelta(days=21),
        "create",
        b.units[new].state,
        recorded=recorded,
        by="kommune",
    )
    count = len(pending) + 1
    busy = {alleroed[name] for name, *_ in pending} | {new} | b.closed
    open_ous = sorted(c for c, u in b.units.items() if u.level == "OE" and c not in busy)
    for code in b.rng.sample(open_ous, max(1, len(open_ous) // 100)):
        b._emit(
            code,
            day + dt.timedelta(days=1 + b.rng.randrange(60)),
            "edit",
            {"phone": b._phone(), "inherit_electronic": False},
            recorded=recorded,
        )
        count += 1
    return count
