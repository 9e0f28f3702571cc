"""``python -m sorkit.demo PATH``: build the demo register in a file."""

from sorkit.demo.make import main

if __name__ == "__main__":
    raise SystemExit(main())
