"""The analysts' reads: compare two dates, SQL over the register, tables for reading.

* :mod:`sorkit.analysis.compare` — ``reg.compare``: what differs between two dates (or two
  states of knowledge);
* :mod:`sorkit.analysis.views` — ``reg.sql``: the tables behind the read-only SQL views (the
  DuckDB side is :mod:`sorkit.store.analyst`);
* :mod:`sorkit.analysis.readable` — any result as an analyst reads it (Danish labels and
  values, dd-mm-åååå, interactive above 20 rows).

See ``docs/analysts.md``.
"""
