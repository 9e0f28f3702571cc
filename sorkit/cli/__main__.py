"""``python -m sorkit.cli``: the ``sorkit`` command."""

from sorkit.cli.run import main

if __name__ == "__main__":
    raise SystemExit(main())
