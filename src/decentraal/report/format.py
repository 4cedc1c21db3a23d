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


# --------------------------------------------------------------------------- rounding by kind
def estimate(value: float) -> str:
    """An estimated count: to hundreds from 1.000 up, to tens below (a model never knows the units).

    >>> estimate(19268.6)
    '19.300'
    >>> estimate(432)
    '430'
    """
    if _missing(value):
        return MISSING
    return number(rounded(value, 100 if abs(float(value)) >= 1000 else 10))


def money(value: float) -> str:
    """An amount in euro to two significant digits (never more precise than the assumptions behind it).

    >>> money(425126.25)
    '€ 430.000'
    >>> money(1284427.9)
    '€ 1.300.000'
    >>> money(21.98)
    '€ 22'
    >>> money(7.216)
    '€ 7,2'
    """
    if _missing(value):
        return MISSING
    v = significant(value)
    digits = 0 if v == 0 else max(0, 1 - int(math.floor(math.log10(abs(v)))))
    return euro(v, digits)


def money_range(low: float, high: float) -> str:
    """'€ 130.000 tot € 440.000' (two significant digits each)."""
    return interval(low, high, money)


def estimate_range(low: float, high: float) -> str:
    """'18.000 tot 19.200' (estimated counts)."""
    return interval(low, high, estimate)


def percent_range(low: float, high: float) -> str:
    """'98% tot 100%' (or one value when both ends print the same)."""
    return interval(low, high, percent)


# --------------------------------------------------------------------------- CBS symbols
#: The CBS's signs for a cell without a number (Verklaring van tekens, CBS), in footnote order.
CBS_SYMBOLS = {
    ".": "gegevens ontbreken of zijn onbekend",
    "x": "geheim: niet getoond om te voorkomen dat iets over personen of kleine groepen te herleiden is",
    "-": "nihil (precies nul)",
}


def cbs_symbol(value: Any, *, secret: bool = False, nil: bool = False) -> str | None:
    """The CBS sign for a cell, or None when the cell shows its number.

    ``secret`` marks a cell hidden by disclosure control (``x``); a missing value is ``.``;
    with ``nil`` an exact zero is ``-``.

    >>> cbs_symbol(float("nan")), cbs_symbol(3.0, secret=True), cbs_symbol(0, nil=True), cbs_symbol(2.5)
    ('.', 'x', '-', None)
    """
    if secret:
        return "x"
    if _missing(value):
        return "."
    if nil and isinstance(value, (int, float)) and float(value) == 0:
        return "-"
    return None


def cbs_footnote(symbols: Sequence[str] | set[str]) -> str:
    """The 'Verklaring van tekens' for the CBS signs that occur in a table ('' when none).

    >>> cbs_footnote({"x", "."})
    'Verklaring van tekens: . = gegevens ontbreken of zijn onbekend; x = geheim: niet getoond om te voorkomen dat iets over personen of kleine groepen te herleiden is.'
    """
    shown = [s for s in CBS_SYMBOLS if s in set(symbols)]
    if not shown:
        return ""
    return "Verklaring van tekens: " + "; ".join(f"{s} = {CBS_SYMBOLS[s]}" for s in shown) + "."


def date(value: Any) -> str:
    """A date in Dutch words: 25 november 2026 (babel).

    >>> import datetime as _dt
    >>> date(_dt.date(2026, 11, 25))
    '25 november 2026'
    """
    from babel.dates import format_date

    return format_date(value, format="d MMMM y", locale=LOCALE)


def quantity(value: Any, unit: str = "-") -> str:
    """A parameter value with its unit in Dutch: 0.85 'aandeel' -> '85%', 60 'euro per baliewerkuur' ->
    '€ 60 per baliewerkuur', 12.0 'minuten' -> '12 minuten', True -> 'ja'.

    >>> quantity(0.85, "aandeel"), quantity(60.0, "euro per baliewerkuur"), quantity(12.0, "minuten"), quantity(True)
    ('85%', '€ 60 per baliewerkuur', '12 minuten', 'ja')
    >>> quantity(0.25, "per km"), quantity(0.15, "variatiecoefficient"), quantity(400000.0, "euro per jaar")
    ('0,25 per km', '15%', '€ 400.000 per jaar')
    """
    unit = (unit or "-").strip()
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if not isinstance(value, (int, float)):
        return str(value)
    if unit in ("aandeel", "kans", "variatiecoefficient"):
        return percent(value, 0 if round(float(value) * 100, 6).is_integer() else 1)
    if unit.startswith("euro"):
        rest = unit.removeprefix("euro").strip()
        return euro(value, 0 if float(value).is_integer() else 2) + (f" {rest}" if rest else "")
    if unit == "jaar" and float(value).is_integer():
        return str(int(value))
    shown = format_decimal(float(value), format="#,##0.##", locale=LOCALE)
    return shown if unit in ("-", "") else f"{shown} {unit}"
