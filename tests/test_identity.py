"""Who works: JUPYTERHUB_USER, then SORKIT_USER, then the OS user; what the header says."""

from __future__ import annotations

import datetime as dt
import getpass

import pytest

import sorkit
from sorkit.app.kernel import open_app_register
from sorkit.register import default_user
from sorkit.widgets.header import AppHeader, identity_text

ROWS = [
    ({"JUPYTERHUB_USER": "hub", "SORKIT_USER": "env"}, "hub"),
    ({"SORKIT_USER": "env"}, "env"),
    ({}, None),  # the OS user
]


@pytest.mark.parametrize("env,expected", ROWS)
def test_user_order(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str) -> None:
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.delenv("SORKIT_USER", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert default_user() == (expected or getpass.getuser())


def test_app_kernel_takes_the_hub_user_first(demo: sorkit.Register) -> None:
    env = {"SORKIT_REGISTER": str(demo.path), "JUPYTERHUB_USER": "kommune", "SORKIT_USER": "x"}
    assert open_app_register(env).user == "kommune"


def test_header_for_a_steward(demo: sorkit.Register) -> None:
    text = identity_text(demo.as_user("kommune"))
    assert text == "Bruger: kommune (SOR-administrator) · Register: demo.duckdb · Dato: 01-12-2026"
    assert "SDS-administrator" in identity_text(demo)
    assert "kun læseadgang" in identity_text(demo.as_user("reader"))


def test_unknown_user_on_a_managed_register_may_only_read(demo: sorkit.Register) -> None:
    stranger = demo.as_user("fremmed")
    assert demo.managed and not stranger.known_user
    assert stranger.role == "reader"
    assert "fremmed er ikke oprettet i registret og må kun læse" in identity_text(stranger)
    header = AppHeader(stranger)
    assert "må kun læse" in header.controls["identity"].value


def test_register_without_users_makes_everyone_administrator() -> None:
    reg = sorkit.open_register(None, user="anna", today=dt.date(2026, 12, 1))
    assert not reg.managed and reg.role == "sds_admin"
    text = identity_text(reg)
    assert "anna (registret har ingen brugere: alle er administrator)" in text
    assert "Register: i hukommelsen" in text
