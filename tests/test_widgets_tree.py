"""The hierarchy tree: lazy loading, date picker, closed units, "Kun mine enheder", selection."""

from __future__ import annotations

import datetime as dt

from sorkit.widgets import UnitTree
from tests.helpers import TODAY, named


def test_children_load_only_when_a_node_opens(demo) -> None:
    tree = UnitTree(demo)
    kommune = named(demo, "Allerød Kommune")
    si = named(demo, "Sundhed og Omsorg, Allerød")
    assert kommune in tree.root_codes()
    assert tree.loaded_children(kommune) is None
    assert tree.node(si) is None
    node = tree.node(kommune)
    assert [n.disabled for n in node.nodes] == [True]  # the placeholder that shows "+"
    node.opened = True  # what a click on "+" does
    assert tree.loaded_children(kommune) == [si]
    assert [n.name for n in node.nodes] == ["Sundhed og Omsorg, Allerød"]
    assert tree.node(named(demo, "Allerød Kommunes Tandpleje")) is None


def test_loading_children_reattaches_the_top_node(demo) -> None:
    tree = UnitTree(demo)
    kommune = named(demo, "Allerød Kommune")
    tree.open_unit(kommune)
    seen = []
    tree.controls["tree"].observe(lambda c: seen.append(len(c["new"])), names="nodes")
    tree.open_unit(named(demo, "Sundhed og Omsorg, Allerød"))
    total = len(tree.root_codes())
    assert seen == [total - 1, total]
    assert tree.root_codes().index(kommune) == list(demo.roots()["sor_code"]).index(kommune)


def test_date_picker_shows_the_pending_move_on_its_date(demo) -> None:
    tree = UnitTree(demo)
    si = named(demo, "Sundhed og Omsorg, Allerød")
    secretariat = named(demo, "Sekretariatet, Allerød")
    visitation = named(demo, "Visitationen, Allerød")
    for code in (named(demo, "Allerød Kommune"), si, secretariat):
        tree.open_unit(code)
    assert visitation in tree.loaded_children(si)
    assert visitation not in tree.loaded_children(secretariat)
    tree.controls["as_of"].value = TODAY + dt.timedelta(days=13)
    assert visitation in tree.loaded_children(si)
    tree.controls["as_of"].value = TODAY + dt.timedelta(days=14)
    assert visitation not in tree.loaded_children(si)
    assert visitation in tree.loaded_children(secretariat)


def test_closed_units_are_hidden_unless_asked_for(demo) -> None:
    tree = UnitTree(demo)
    tandpleje = named(demo, "Allerød Kommunes Tandpleje")
    lyngehus = named(demo, "Tandplejen Lyngehus Skolen")
    assert tree.reveal(tandpleje) and tree.selected == tandpleje
    assert lyngehus in tree.open_unit(tandpleje)
    assert tree.node(lyngehus).icon_style == "warning"  # closing
    tree.controls["as_of"].value = TODAY + dt.timedelta(days=40)
    assert lyngehus not in tree.loaded_children(tandpleje)
    tree.controls["show_closed"].value = True
    assert lyngehus in tree.loaded_children(tandpleje)
    node = tree.node(lyngehus)
    assert node.icon_style == "danger" and "lukket" in node.name


def test_only_mine_shows_the_stewards_scope(demo) -> None:
    tree = UnitTree(demo.as_user("kommune"), only_mine=True)
    assert tree.root_codes() == [named(demo, "Allerød Kommune")]
    tree.controls["only_mine"].value = False
    assert len(tree.root_codes()) > 100


def test_clicking_a_node_selects_the_unit(demo) -> None:
    tree = UnitTree(demo)
    picked = []
    tree.on_select(picked.append)
    kommune = named(demo, "Allerød Kommune")
    tree.node(kommune).selected = True
    assert tree.selected == kommune and picked == [kommune]
    si = tree.open_unit(kommune)[0]
    tree.node(si).selected = True
    assert picked == [kommune, si]
    assert not tree.node(kommune).selected
