"""The CI-sized soak (issue #19): 8 processes, every kind of work, ~15 s, then every check.

``make soak`` runs the same script for minutes (figures in docs/reliability.md); here a short
run proves the whole path on every CI run: the workers' mixed reads and writes on one register,
then the checks of ``benchmarks/soak.py`` (every applied change present once with one audit
record per unit, no reader saw a broken state, waits within the busy timeout or the Danish
"er optaget" message, integrity check). No speed is asserted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.soak import MIX, run

pytestmark = pytest.mark.slow


def test_a_short_soak_holds_every_check(tmp_path: Path) -> None:
    figures = run(seconds=15, processes=8, workdir=tmp_path, busy_timeout=60.0)
    assert figures["failures"] == []
    assert figures["processes"] == 8
    for kind in MIX:  # every kind of work ran at least once
        assert figures["actions"].get(kind, 0) >= 1, (kind, figures["actions"])
    assert figures["applies"] >= 5
    assert figures["audit_records"] == figures["unit_changes"]
    print("\nSOAK", figures)
