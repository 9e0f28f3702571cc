"""The deterministic demo register (``python -m sorkit.demo PATH`` builds it in a file).

:mod:`sorkit.demo.make` builds and opens it, :mod:`sorkit.demo.builder` lays out the units
and their history as change events (plan in :mod:`sorkit.demo.plan`, names and code values in
:mod:`sorkit.demo.data`).
"""

from sorkit.demo.make import (
    DEFAULT_SEED,
    build,
    demo_register,
    main,
)

__all__ = [
    "DEFAULT_SEED",
    "build",
    "demo_register",
    "main",
]
