"""Dutch number formatting for the committee, in one place (babel, locale nl_NL).

Every number a reader sees goes through these functions, so "1.234,5", "46%" and
"€ 40" look the same on every page. Missing values print as an en dash.

>>> number(19268.6)
'19.269'
>>> number(1234.5, 1)
'1.234,5'
>>> percent(0.456)
'46%'
>>> euro(40.19, 2)
'€ 40,19'
>>> km(2.234)
'2,2 km'
>>> number(float("nan"))
'–'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from babel.numbers import format_currency, format_decimal, format_percent

LOCALE = "nl_NL"
MISSING = "–"


def _missing(value: Any) -> bool:
    try:
        return value is None or math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def _pattern(digits: int) -> str:
    return "#,##0" + ("." + "0" * digits if digits > 0 else "")


def number(value: float, digits: int = 0) -> str:
    """A number with Dutch separators and ``digits`` decimals: 12345.6 -> '12.346'."""
    if _missing(value):
        return MISSING
    return format_decimal(float(value), format=_pattern(digits), locale=LOCALE)


def percent(share: float, digits: int = 0) -> str:
    """A share 0..1 as a percentage: 0.456 -> '46%'."""
    if _missing(share):
        return MISSING
    return format_percent(float(share), format="#,##0" + ("." + "0" * digits if digits else "") + "%", locale=LOCALE)


def euro(value: float, digits: int = 0) -> str:
    """An amount in euro: 774400 -> '€ 774.400'."""
    if _missing(value):
        return MISSING
    return format_currency(float(value), "EUR", format="¤ " + _pattern(digits), locale=LOCALE, currency_digits=False)


def km(value: float, digits: int = 1) -> str:
    """A distance: 2.234 -> '2,2 km'."""
    return MISSING if _missing(value) else f"{number(value, digits)} km"


def rounded(value: float, step: float) -> float:
    """``value`` rounded to a multiple of ``step`` (visits to hundreds: ``rounded(v, 100)``)."""
    if _missing(value):
        return float("nan")
    return round(float(value) / step) * step


def significant(value: float, digits: int = 2) -> float:
    """``value`` rounded to ``digits`` significant digits (euros: 774400 -> 770000)."""
    if _missing(value) or value == 0:
        return float(value) if not _missing(value) else float("nan")
    return round(float(value), digits - 1 - int(math.floor(math.log10(abs(float(value))))))


def interval(p10: float, p90: float, fmt: Callable[[float], str] = number) -> str:
    """An interval 'a tot b' (or one value when both ends print the same)."""
    low, high = fmt(p10), fmt(p90)
    return low if low == high else f"{low} tot {high}"


def join(items: Sequence[str]) -> str:
    """'a', 'a en b', 'a, b en c'."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " en " + items[-1]


def legend_number(value: float) -> str:
    """A number for map legends: 14.745 for large values, 0,84 / 21,1 for small ones."""
    if abs(value) >= 1000:
        return number(value)
    if abs(value) < 10:
        return format_decimal(float(value), format="0.0##", locale=LOCALE) if abs(value) >= 1 else format_decimal(float(value), format="0.00#", locale=LOCALE)
    return number(value, 1)
