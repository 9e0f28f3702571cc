"""The ``sorkit`` command line (entry point ``sorkit.cli:main``).

:mod:`sorkit.cli.run` builds the parser and runs a command; :mod:`sorkit.cli.base` holds
the command registry and shared argument helpers; the subcommands are in
:mod:`sorkit.cli.data` (demo, import, export), :mod:`sorkit.cli.notebooks` (batch, report,
app) and :mod:`sorkit.cli.safety` (check, backup, restore).
"""

from sorkit.cli.run import (
    COMMANDS,
    DEFAULT_REGISTER,
    CliError,
    Command,
    _value,  # noqa: F401 (the old name of param_value, used by tests)
    add_command,
    audit_problems,
    build_parser,
    default_register,
    main,
)

__all__ = [
    "COMMANDS",
    "DEFAULT_REGISTER",
    "CliError",
    "Command",
    "add_command",
    "audit_problems",
    "build_parser",
    "default_register",
    "main",
]
