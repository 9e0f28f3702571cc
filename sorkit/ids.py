"""Identifiers used in SOR: SOR codes, location numbers (GLN), CVR, P-numbers, SHAK, ydernumre.

SOR codes are plain ``str`` everywhere in sorkit. They follow the SNOMED CT long-format layout
``<serial><namespace "1000016"><partition "00"><Verhoeff check digit>``, so the first code ever
issued is ``11000016002``. Check digits come from python-stdnum: Verhoeff for SOR codes, GS1
mod-10 for location numbers and mod-11 for CVR numbers.

Validators are strict: they check the value exactly as given (an ``int`` is turned into its
decimal string). Clean user input (spaces, dashes, Excel's ``="..."`` wrapper) with
:func:`clean_digits` first.
"""

from __future__ import annotations

import re
from typing import Protocol

from stdnum import ean, verhoeff
from stdnum.dk import cvr

__all__ = [
    "SOR_NAMESPACE",
    "SOR_PARTITION",
    "clean_digits",
    "identifier_problems",
    "is_danish_gln",
    "is_valid_cvr",
    "is_valid_gln",
    "is_valid_p_number",
    "is_valid_shak",
    "is_valid_sor_code",
    "is_valid_ydernummer",
    "make_cvr",
    "make_gln",
    "make_sor_code",
    "next_sor_code",
    "sor_serial",
]

SOR_NAMESPACE = "1000016"
"""Danish SNOMED CT namespace used by SOR codes."""

SOR_PARTITION = "00"
"""Partition id of SOR codes (SNOMED CT would use ``10`` here)."""

_SOR_RE = re.compile(r"^[1-9][0-9]*" + SOR_NAMESPACE + SOR_PARTITION + r"[0-9]$")
_EXCEL_WRAPPER_RE = re.compile(r'^=\s*"(.*)"$', re.DOTALL)
# Separators typed between digit groups: whitespace (incl. no-break space), '-', '.', dashes.
_SEPARATOR_RE = re.compile(r"(?<=\d)[\s.\-\u2010-\u2015]+(?=\d)")
_SHAK_RE = re.compile(r"^[0-9A-Za-z]{4,7}$")
_YDERNUMMER_RE = re.compile(r"^[0-9]{1,9}$")
_P_NUMBER_RE = re.compile(r"^[0-9]{10}$")
_GLN_RE = re.compile(r"^[0-9]{13}$")
_CVR_RE = re.compile(r"^[0-9]{8}$")


class _HasMaxSorSerial(Protocol):
    """Anything that knows the highest SOR serial number issued so far (the Register)."""

    def max_sor_serial(self) -> int: ...


def _as_text(value: object) -> str | None:
    """Return ``value`` as text if it is a ``str`` or a (non-bool) ``int``, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    return None


def clean_digits(value: object) -> str:
    """Tidy a typed or pasted identifier so that it can be validated.

    Removes surrounding whitespace, Excel's ``="..."`` text wrapper and surrounding quotes,
    and the spaces, dashes and dots people type between digit groups (``"5790 0001 23117"``,
    ``"2100-0016-006"``). Integral floats (Excel's number cells) become their integer digits.
    The result may still be invalid: run a validator on it.

    Args:
        value: The raw value (str, int, float or anything with a ``str()``); None gives ``""``.

    Returns:
        The cleaned string.
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    text = text.strip()
    match = _EXCEL_WRAPPER_RE.match(text)
    if match:
        text = match.group(1).strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1].strip()
    if text.startswith("'"):  # Excel's "store as text" prefix
        text = text[1:]
    return _SEPARATOR_RE.sub("", text).strip()


def is_valid_sor_code(s: object) -> bool:
    """Tell whether ``s`` is a well-formed SOR code with a correct Verhoeff check digit.

    Args:
        s: The code as ``str`` or ``int``; anything else is invalid.

    Returns:
        True for e.g. ``"21000016006"`` (Københavns Kommune), False otherwise.
    """
    text = _as_text(s)
    return text is not None and bool(_SOR_RE.fullmatch(text)) and verhoeff.is_valid(text)


def make_sor_code(serial: int) -> str:
    """Build the SOR code for a running serial number.

    Args:
        serial: The running number, at least 1.

    Returns:
        ``serial + "1000016" + "00" + check digit``; ``make_sor_code(1) == "11000016002"``.

    Raises:
        ValueError: If ``serial`` is not a positive integer.
    """
    if isinstance(serial, bool) or not isinstance(serial, int) or serial < 1:
        raise ValueError(f"SOR serial must be a positive integer, got {serial!r}")
    body = f"{serial}{SOR_NAMESPACE}{SOR_PARTITION}"
    return body + verhoeff.calc_check_digit(body)


def sor_serial(code: str) -> int:
    """Return the running serial number inside a SOR code (the inverse of make_sor_code).

    Args:
        code: A valid SOR code.

    Returns:
        The serial number, e.g. 2 for ``"21000016006"``.

    Raises:
        ValueError: If ``code`` is not a valid SOR code.
    """
    if not is_valid_sor_code(code):
        raise ValueError(f"not a valid SOR code: {code!r}")
    return int(str(code)[: -(len(SOR_NAMESPACE) + len(SOR_PARTITION) + 1)])


def next_sor_code(reg: _HasMaxSorSerial) -> str:
    """Allocate the next SOR code after the highest serial the register has issued.

    Args:
        reg: The register (anything with ``max_sor_serial() -> int``).

    Returns:
        ``make_sor_code(reg.max_sor_serial() + 1)``.
    """
    return make_sor_code(reg.max_sor_serial() + 1)


def is_valid_gln(s: object) -> bool:
    """Tell whether ``s`` is a location number: 13 digits with a GS1 mod-10 check digit.

    Args:
        s: The number as ``str`` or ``int``.

    Returns:
        True for e.g. ``"5790000123117"``.
    """
    text = _as_text(s)
    return text is not None and bool(_GLN_RE.fullmatch(text)) and ean.is_valid(text)


def make_gln(first12: str) -> str:
    """Append the GS1 mod-10 check digit to the first 12 digits of a location number.

    Args:
        first12: Exactly 12 digits.

    Returns:
        The 13-digit location number.

    Raises:
        ValueError: If ``first12`` is not 12 digits.
    """
    if not isinstance(first12, str) or not re.fullmatch(r"[0-9]{12}", first12):
        raise ValueError(f"expected 12 digits, got {first12!r}")
    return first12 + ean.calc_check_digit(first12)


def is_danish_gln(s: object) -> bool:
    """Tell whether a location number carries the GS1 Denmark prefix 579.

    Args:
        s: The number as ``str`` or ``int``.

    Returns:
        True if it starts with ``579`` (validity is checked separately by is_valid_gln).
    """
    text = _as_text(s)
    return text is not None and text.startswith("579")


def is_valid_cvr(s: object) -> bool:
    """Tell whether ``s`` is a CVR number: 8 digits, weighted sum mod 11 equal to 0.

    Args:
        s: The number as ``str`` or ``int``.

    Returns:
        True for e.g. ``"64942212"`` (Københavns Kommune).
    """
    text = _as_text(s)
    return text is not None and bool(_CVR_RE.fullmatch(text)) and cvr.is_valid(text)


def make_cvr(first7: str) -> str | None:
    """Complete a CVR number from its first seven digits.

    Args:
        first7: Exactly 7 digits (not starting with 0).

    Returns:
        The 8-digit CVR number, or None when no check digit makes the sum divisible by 11.

    Raises:
        ValueError: If ``first7`` is not 7 digits.
    """
    if not isinstance(first7, str) or not re.fullmatch(r"[0-9]{7}", first7):
        raise ValueError(f"expected 7 digits, got {first7!r}")
    for digit in "0123456789":
        if cvr.is_valid(first7 + digit):
            return first7 + digit
    return None


def is_valid_p_number(s: object) -> bool:
    """Tell whether ``s`` is a P-number (production unit): exactly 10 digits."""
    text = _as_text(s)
    return text is not None and bool(_P_NUMBER_RE.fullmatch(text))


def is_valid_shak(s: object) -> bool:
    """Tell whether ``s`` is a SHAK code: 4-7 characters, letters and digits only."""
    text = _as_text(s)
    return text is not None and bool(_SHAK_RE.fullmatch(text))


def is_valid_ydernummer(s: object) -> bool:
    """Tell whether ``s`` is a ydernummer (provider number): 1-9 digits, leading zeros kept."""
    text = _as_text(s)
    return text is not None and bool(_YDERNUMMER_RE.fullmatch(text))


_CHECKS = {
    "shak": (is_valid_shak, "SHAK-koden skal være 4-7 tegn (bogstaver og cifre)"),
    "ydernummer": (is_valid_ydernummer, "Ydernummeret skal være 1-9 cifre"),
    "cvr": (is_valid_cvr, "CVR-nummeret skal være 8 cifre med gyldigt kontrolciffer (modulus 11)"),
    "p_number": (is_valid_p_number, "P-nummeret skal være 10 cifre"),
}


def identifier_problems(
    *,
    shak: object = None,
    ydernummer: object = None,
    cvr: object = None,
    p_number: object = None,
) -> dict[str, str]:
    """Check a unit's optional identifiers (rule IDENTIFIER_INVALID).

    Args:
        shak: SHAK code, or None when not given.
        ydernummer: Provider number, or None.
        cvr: CVR number, or None.
        p_number: P-number, or None.

    Returns:
        ``{field: Danish reason}`` for each given identifier that is invalid; empty if all are
        fine. When cleaning would fix the value, the reason says so.
    """
    given = {"shak": shak, "ydernummer": ydernummer, "cvr": cvr, "p_number": p_number}
    problems: dict[str, str] = {}
    for field, value in given.items():
        if value is None:
            continue
        check, reason = _CHECKS[field]
        if check(value):
            continue
        cleaned = clean_digits(value)
        if cleaned and check(cleaned):
            reason += f" – skriv det uden mellemrum og bindestreger: {cleaned}"
        problems[field] = reason
    return problems
