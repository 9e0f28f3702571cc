"""Location numbers (lokationsnumre, GLN) the way SOR handles them (issue #17).

- :mod:`sorkit.gln.allocation`: new numbers from the register's GS1 range (``gln=None``);
  :func:`set_gln_range` (sds_admin) and :func:`gln_range` are re-exported here.
- :mod:`sorkit.gln.codes`: the known EDI attribute codes with their names.
- :mod:`sorkit.gln.diff`: every changed field of a number, in Danish (history, audit).
"""

from __future__ import annotations

from sorkit.gln.allocation import Allocation, GlnRange, gln_range, set_gln_range

__all__ = ["Allocation", "GlnRange", "gln_range", "set_gln_range"]
