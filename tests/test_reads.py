"""The read API: units with inheritance on any date, children, ancestors, subtree, roots."""

from __future__ import annotations

import datetime as dt

import pytest

import sorkit
from tests.builders import add_unit, code, find, write

#: Every register test here runs on DuckDB and on PostgreSQL (tests/pgfixtures.py).
pytestmark = pytest.mark.engines

D = dt.date
ADDR = {"street": "Eliasgade", "house_number": "1", "postcode": "2300", "city": "København S"}
GLN = {
    "gln": "5790000141227",
    "region": "1084",
    "edb_system": "1",
    "system_supplier": "2",
    "net_operator": "41000035001",
    "administrator": "116",
    "edi_types": ("FDIS20",),
}


@pytest.fixture
def tree(empty: sorkit.Register) -> sorkit.Register:
    reg = empty
    add_unit(
        reg,
        code(1),
        None,
        "Region Test",
        D(2020, 1, 1),
        postal_address=ADDR,
        phone="11111111",
        email="region@test.dk",
    )
    add_unit(
        reg,
        code(2),
        code(1),
        "Hospital Test",
        D(2020, 1, 1),
        inherit_electronic=True,
        location_number=GLN,
    )
    add_unit(
        reg,
        code(3),
        code(2),
        "Afdeling A",
        D(2021, 1, 1),
        inherit_electronic=True,
        inherit_location_number=True,
    )
    add_unit(
        reg,
        code(4),
        code(3),
        "Afsnit A1",
        D(2021, 1, 1),
        inherit_electronic=True,
        inherit_location_number=True,
    )
    return reg


def test_unit_without_own_values_shows_its_parents(tree: sorkit.Register) -> None:
    unit = tree.unit(code(4))
    assert unit.postal_address is not None and unit.postal_address.street == "Eliasgade"
    assert unit.visiting_address == unit.postal_address  # same as postal
    assert unit.activity_address == unit.postal_address  # same as visiting
    assert unit.phone == "11111111"
    assert unit.location_number is not None and unit.location_number.gln == "5790000141227"
    # Inherited values name the unit that really holds them, several levels up.
    assert unit.inherited["postal_address"] == code(1)
    assert unit.inherited["phone"] == code(1)
    assert unit.inherited["location_number"] == code(2)


def test_parent_phone_change_reaches_the_child_from_its_date(tree: sorkit.Register) -> None:
    write(tree, code(1), D(2027, 3, 1), "edit", phone="22222222")
    assert tree.unit(code(4), as_of=D(2027, 2, 28)).phone == "11111111"
    assert tree.unit(code(4), as_of=D(2027, 3, 1)).phone == "22222222"


def test_own_values_are_not_inherited(tree: sorkit.Register) -> None:
    write(tree, code(3), D(2022, 1, 1), "edit", inherit_electronic=False, phone="33333333")
    unit = tree.unit(code(4), as_of=D(2023, 1, 1))
    assert unit.phone == "33333333"
    assert unit.inherited["phone"] == code(3)
    assert "phone" not in tree.unit(code(3), as_of=D(2023, 1, 1)).inherited


def test_children_ancestors_subtree_roots(tree: sorkit.Register) -> None:
    assert list(tree.children(code(2)).sor_code) == [code(3)]
    assert list(tree.ancestors(code(4)).name) == ["Region Test", "Hospital Test", "Afdeling A"]
    sub = tree.subtree(code(1))
    assert list(sub.sor_code) == [code(1), code(2), code(3), code(4)]
    assert sub.path.iloc[-1] == "Region Test / Hospital Test / Afdeling A / Afsnit A1"
    assert list(tree.roots().name) == ["Region Test"]
    # Before the departments existed, the hospital had no children.
    assert tree.children(code(2), as_of=D(2020, 6, 1)).empty is False  # future child listed
    assert tree.children(code(2), as_of=D(2020, 6, 1)).status.tolist() == ["future"]


def test_status_on_dates(tree: sorkit.Register) -> None:
    write(tree, code(4), D(2027, 1, 1), "close")  # last day 2026-12-31
    assert tree.unit(code(4), as_of=D(2020, 6, 1)).status == "future"
    assert tree.unit(code(4), as_of=D(2026, 12, 1)).status == "closing"
    assert tree.unit(code(4), as_of=D(2026, 12, 1)).last_day == D(2026, 12, 31)
    assert tree.unit(code(4), as_of=D(2027, 1, 1)).status == "closed"
    assert tree.children(code(3), as_of=D(2027, 1, 1)).empty
    assert list(tree.children(code(3), as_of=D(2027, 1, 1), include_closed=True).sor_code) == [
        code(4)
    ]


def test_move_reparents_the_subtree_from_its_date(tree: sorkit.Register) -> None:
    add_unit(tree, code(5), code(2), "Afdeling B", D(2021, 1, 1))
    write(tree, code(3), D(2027, 1, 1), "move", parent=code(5))
    assert tree.ancestors(code(4), as_of=D(2026, 12, 31)).name.tolist()[-1] == "Afdeling A"
    later = tree.ancestors(code(4), as_of=D(2027, 1, 1)).name.tolist()
    assert later == ["Region Test", "Hospital Test", "Afdeling B", "Afdeling A"]


def test_unknown_unit(tree: sorkit.Register) -> None:
    with pytest.raises(sorkit.UnitNotFound):
        tree.unit(code(99))
    with pytest.raises(sorkit.UnitNotFound):
        tree.children(code(99))


def test_demo_has_the_guides_examples(demo: sorkit.Register) -> None:
    alleroed = find(demo, "Allerød Kommune")
    dental = find(demo, "Allerød Kommunes Tandpleje")
    assert demo.unit(alleroed).level == "IE"
    assert demo.ancestors(dental).sor_code.iloc[0] == alleroed
    assert demo.unit(dental).location_number is not None
    assert "location_number" not in demo.unit(dental).inherited
    kids = demo.children(dental).name.tolist()
    assert "Tandplejen Blovstrød Skole" in kids and len(kids) >= 3
    admin_units = demo.subtree(alleroed, unit_type="550811000005108")
    assert len(admin_units) >= 3
    assert "Blovstrød Skole" in admin_units.name.tolist()
    roots = demo.roots().name.tolist()
    assert "Region Hovedstaden" in roots and "Allerød Kommune" in roots
    assert len([r for r in roots if r.startswith("Region ")]) == 5
    pending = demo.pending()
    assert {"Flyt", "Luk"} <= set(pending.operation)
    assert (pending.effective_date > demo.today).all()


def test_demo_users_and_only_mine(demo: sorkit.Register) -> None:
    kommune = demo.as_user("kommune")
    assert kommune.role == "steward"
    assert kommune.roots(only_mine=True).name.tolist() == ["Allerød Kommune"]
    assert demo.as_user("region").roots(only_mine=True).name.tolist() == ["Region Hovedstaden"]
    assert demo.as_user("reader").role == "reader"
    assert demo.as_user("somebody-else").role == "reader"  # managed register: unknown reads only
    assert demo.role == "sds_admin"
