"""CSV text in the public table's number format (R ``data.table::fwrite``).

``fwrite`` writes 15 significant digits by its own method: the number's binary mantissa is
scaled to [1, 10) with a power-of-ten table, multiplied by 10¹⁵ in double precision, truncated,
and rounded half-up on the sixteenth digit. That is not always the correctly rounded 15-digit
decimal, so the method is followed step by step here; with it the rebuilt table matches the
published file character for character wherever the numbers are equal. Scientific notation
(``3e-04``) is used only where it is shorter; missing values are empty.
"""

from __future__ import annotations

import csv
import io
import math
from decimal import Decimal, localcontext
from functools import cache

import pandas as pd

SIGNIFICANT = 15


def _significand(value: float) -> tuple[str, int]:
    """The digits (trailing zeros dropped) and decimal exponent ``fwrite`` writes for ``value``."""
    _, binary = math.frexp(value)
    power_of_two, exponent, factor = _scale(binary)
    scaled = (value / power_of_two) * factor
    if scaled >= 9.99999999999999:
        scaled /= 10
        exponent += 1
    digits = int(scaled * 10.0**SIGNIFICANT)
    if digits % 10 >= 5:
        digits += 10
    text = str(digits // 10)
    kept = text.rstrip("0")
    if SIGNIFICANT - (len(text) - len(kept)) <= 0:
        exponent += 1
    return kept or "0", exponent


@cache
def _scale(binary: int) -> tuple[float, int, float]:
    """For numbers in [2^(b−1), 2^b): that power of two, its decimal exponent e, and
    2^(b−1) / 10^e correctly rounded (``fwrite``'s table)."""
    power_of_two = math.ldexp(1.0, binary - 1)
    exponent = math.floor(math.log10(power_of_two))
    with localcontext() as exact:
        exact.prec = 80
        factor = float(Decimal(power_of_two) / Decimal(10) ** exponent)
    return power_of_two, exponent, factor


def format_number(value: float) -> str:
    """One number as ``fwrite`` writes it."""
    if math.isnan(value):
        return ""
    if math.isinf(value):
        return "Inf" if value > 0 else "-Inf"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    digits, power = _significand(abs(value))
    mantissa = digits[0] + (f".{digits[1:]}" if len(digits) > 1 else "")
    sci = f"{mantissa}e{'-' if power < 0 else '+'}{abs(power):02d}"
    fixed = _fixed(digits, power)
    return sign + (sci if len(sci) < len(fixed) else fixed)


def _fixed(digits: str, power: int) -> str:
    if power < 0:
        return "0." + "0" * (-power - 1) + digits
    if power + 1 >= len(digits):
        return digits + "0" * (power + 1 - len(digits))
    return f"{digits[: power + 1]}.{digits[power + 1 :]}"


def to_csv(frame: pd.DataFrame) -> str:
    """The frame as CSV text: text quoted only when needed, numbers as ``fwrite`` writes them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(frame.columns)
    columns = []
    for name in frame.columns:
        values = frame[name]
        if pd.api.types.is_numeric_dtype(values):
            columns.append([format_number(float(v)) for v in values])
        else:
            columns.append(["" if pd.isna(v) else str(v) for v in values])
    writer.writerows(zip(*columns, strict=True))
    return out.getvalue()
