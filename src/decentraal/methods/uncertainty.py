"""How sure are the results? Monte Carlo over the assumption ranges, P10/P50/P90, Sobol indices.

Every numeric assumption in ``configs/base.yaml`` has a ``bereik: [low, high]`` around its
default. This module turns those ranges into draws, summarises outputs over the draws and
ranks the assumptions by how much of the output's variance they explain.

Model in short
--------------
* Draws (:func:`sample_assumptions`): each assumption independently, either

  - ``"triangular"`` (default): density rising linearly from ``low`` to a peak at the default
    and falling to ``high``. Chosen because the default is the best available guess and the
    range its plausible limits: values near the default are likelier than the ends, without
    claiming a shape (normal, lognormal) nobody has measured. Mean ``(low + mode + high) / 3``.
  - ``"uniform"``: every value in ``[low, high]`` equally likely (the default plays no role);
    the conventional choice for global sensitivity analysis.

  Draws are made by inversion, ``x = F^-1(u)`` with ``u`` uniform on (0, 1): for the
  triangular distribution with ``a = low``, ``c = mode``, ``b = high`` and ``F_c = (c-a)/(b-a)``,
  ``x = a + sqrt(u (b-a)(c-a))`` if ``u < F_c``, else ``b - sqrt((1-u)(b-a)(b-c))``. ``u`` comes
  from ``numpy.random.default_rng(seed)`` (``sampling="random"``) or a scrambled Latin
  hypercube (``"lhs"``, ``scipy.stats.qmc``), so the same seed gives the same draws.
* Summary (:func:`summarise`): ``P10``, ``P50``, ``P90`` = the 10th, 50th and 90th percentile
  of the draws (numpy's default linear interpolation): "in 8 of 10 draws the result lies between
  P10 and P90".
* Sobol indices (:func:`sobol_indices`, SALib): for output ``Y = f(X_1..X_d)``,
  ``S1_i = Var(E[Y|X_i]) / Var(Y)`` (share of variance due to ``X_i`` alone) and
  ``ST_i = E[Var(Y|X_~i)] / Var(Y)`` (share involving ``X_i``, interactions included), estimated
  from Saltelli's scheme on a scrambled Sobol' sequence (``N (d + 2)`` model runs) with the
  estimators of Saltelli et al. (2010), bootstrap confidence intervals.
* :func:`kans_beste_keuze`: per draw the best site set; the share of draws in which each set
  is best ("probability of being the best choice").

Pure functions, no I/O. SALib is imported only inside :func:`sobol_indices`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from decentraal.errors import DataError, ParameterError

__all__ = [
    "Interval",
    "ranges_from_entries",
    "sample_assumptions",
    "summarise",
    "summarise_columns",
    "sobol_indices",
    "kans_beste_keuze",
    "kans_per_locatie",
]

Distribution = Literal["triangular", "uniform"]


# ---------------------------------------------------------------------------
# Ranges and draws
# ---------------------------------------------------------------------------


def ranges_from_entries(entries: Mapping[str, Mapping[str, Any]]) -> dict[str, tuple[float, float, float]]:
    """``{name: (low, high, default)}`` from ``base.yaml``-style entries that have a ``bereik``.

    Parameters
    ----------
    entries : mapping
        ``{name: {"waarde": default, "bereik": [low, high], ...}}``, e.g.
        ``decentraal.io.configs.assumptions()``. Entries without ``bereik`` or with a
        non-numeric ``waarde`` are skipped.

    Returns
    -------
    dict
        In the order of ``entries``.

    Examples
    --------
    >>> ranges_from_entries({"piekfactor": {"waarde": 1.5, "bereik": [1.2, 2.0]}, "naam": {"waarde": "x"}})
    {'piekfactor': (1.2, 2.0, 1.5)}
    """
    out = {}
    for name, entry in entries.items():
        value = entry.get("waarde")
        if "bereik" not in entry or isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        low, high = entry["bereik"]
        out[name] = (float(low), float(high), float(value))
    return out


def _check_ranges(ranges: Mapping[str, Sequence[float]]) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Names, low, high, mode arrays; a 2-tuple ``(low, high)`` gets its midpoint as mode."""
    if not isinstance(ranges, Mapping) or not ranges:
        raise ParameterError("ranges is empty; pass {name: (low, high, default)} for at least one assumption.")
    names, lo, hi, mode = [], [], [], []
    for name, spec in ranges.items():
        try:
            values = [float(v) for v in spec]
        except (TypeError, ValueError):
            raise ParameterError(f"range of {name!r} is {spec!r}; pass (low, high, default) numbers.") from None
        if len(values) == 2:
            values.append((values[0] + values[1]) / 2)
        if len(values) != 3 or not all(math.isfinite(v) for v in values):
            raise ParameterError(f"range of {name!r} is {spec!r}; pass (low, high, default) as finite numbers.")
        a, b, c = values
        if not a <= c <= b:
            raise ParameterError(f"range of {name!r}: need low <= default <= high, got ({a}, {b}, {c}); fix its bereik in configs/base.yaml.")
        names.append(str(name))
        lo.append(a)
        hi.append(b)
        mode.append(c)
    return names, np.array(lo), np.array(hi), np.array(mode)


def _ppf(u: np.ndarray, lo: np.ndarray, hi: np.ndarray, mode: np.ndarray, distribution: Distribution) -> np.ndarray:
    """Inverse CDF, column-wise (u: (n, d) in [0, 1])."""
    width = hi - lo
    if distribution == "uniform":
        return lo + u * width
    safe = np.where(width > 0, width, 1.0)
    fc = np.where(width > 0, (mode - lo) / safe, 0.0)
    left = lo + np.sqrt(np.clip(u * width * (mode - lo), 0, None))
    right = hi - np.sqrt(np.clip((1 - u) * width * (hi - mode), 0, None))
    return np.where(u < fc, left, right)


def _check_distribution(distribution: str) -> None:
    if distribution not in ("triangular", "uniform"):
        raise ParameterError(f"distribution={distribution!r}; use 'triangular' (peak at the default) or 'uniform'.")


def _check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError(f"seed={seed!r}; pass a whole number >= 0 (config: seed).")
    return int(seed)


def sample_assumptions(
    ranges: Mapping[str, Sequence[float]],
    n: int,
    *,
    seed: int,
    distribution: Distribution = "triangular",
    sampling: Literal["random", "lhs"] = "random",
) -> pd.DataFrame:
    """Seeded independent draws of each assumption from its range.

    Parameters
    ----------
    ranges : mapping
        ``{name: (low, high, default)}`` (see :func:`ranges_from_entries`); ``(low, high)``
        alone takes the midpoint as default. ``low == high`` gives a constant column.
    n : int
        Number of draws (>= 1).
    seed : int
        Seed (config: ``seed``); the same seed, ranges and ``n`` give the same draws.
    distribution : {"triangular", "uniform"}, default "triangular"
        Triangular with its peak at the default, or uniform (see the module docstring).
    sampling : {"random", "lhs"}, default "random"
        Plain Monte Carlo or a scrambled Latin hypercube (each parameter's range cut into
        ``n`` equal-probability strata, one draw per stratum: steadier percentiles for the
        same ``n``).

    Returns
    -------
    pd.DataFrame
        ``n`` rows (index ``trekking`` 0..n-1), one float column per assumption in the order
        of ``ranges``.

    Examples
    --------
    >>> draws = sample_assumptions({"piekfactor": (1.2, 2.0, 1.5)}, 2000, seed=1)
    >>> bool(draws["piekfactor"].between(1.2, 2.0).all()), round(float(draws["piekfactor"].mean()), 2)
    (True, 1.57)
    """
    names, lo, hi, mode = _check_ranges(ranges)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ParameterError(f"n={n!r}; pass a whole number of draws >= 1 (e.g. 2000).")
    _check_distribution(distribution)
    seed = _check_seed(seed)
    if sampling == "random":
        u = np.random.default_rng(seed).random((int(n), len(names)))
    elif sampling == "lhs":
        from scipy.stats import qmc

        u = qmc.LatinHypercube(d=len(names), rng=np.random.default_rng(seed)).random(int(n))
    else:
        raise ParameterError(f"sampling={sampling!r}; use 'random' or 'lhs'.")
    x = _ppf(u, lo, hi, mode, distribution)
    return pd.DataFrame(x, columns=names, index=pd.RangeIndex(int(n), name="trekking"))


# ---------------------------------------------------------------------------
# Summaries
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """P10, P50 (median) and P90 of an output over the draws."""

    p10: float
    p50: float
    p90: float

    def as_dict(self) -> dict[str, float]:
        """``{"p10": .., "p50": .., "p90": ..}``."""
        return asdict(self)


def _values(draws: np.ndarray | pd.Series | Sequence[float], what: str = "draws") -> np.ndarray:
    v = np.asarray(draws, dtype=float)
    if v.ndim != 1 or v.size == 0:
        raise DataError(f"{what} must be a non-empty 1-D array of output values, one per draw (got shape {v.shape}).")
    if not np.all(np.isfinite(v)):
        raise DataError(f"{what} contains {int((~np.isfinite(v)).sum())} missing or infinite value(s); the model failed for some draws, fix it or drop them explicitly.")
    return v


def summarise(draws: np.ndarray | pd.Series | Sequence[float]) -> Interval:
    """P10/P50/P90 of an output over the draws (numpy's linear percentile).

    Examples
    --------
    >>> summarise(range(101)).as_dict()
    {'p10': 10.0, 'p50': 50.0, 'p90': 90.0}
    """
    p10, p50, p90 = np.percentile(_values(draws), [10, 50, 90])
    return Interval(float(p10), float(p50), float(p90))


def summarise_columns(draws: pd.DataFrame) -> pd.DataFrame:
    """:func:`summarise` per column: index = columns of ``draws``, columns ``p10``, ``p50``, ``p90``."""
    if not isinstance(draws, pd.DataFrame):
        raise DataError(f"draws must be a DataFrame (one column per output), got {type(draws).__name__}.")
    rows = {col: summarise(_values(draws[col], f"column {col!r}")).as_dict() for col in draws.columns}
    return pd.DataFrame.from_dict(rows, orient="index", columns=["p10", "p50", "p90"])


# ---------------------------------------------------------------------------
# Sobol indices
# ---------------------------------------------------------------------------


def sobol_indices(
    model: Callable[[pd.DataFrame], np.ndarray],
    ranges: Mapping[str, Sequence[float]],
    n: int,
    seed: int,
    *,
    distribution: Distribution = "uniform",
    num_resamples: int = 100,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """First-order and total Sobol indices of ``model`` over the assumption ranges (SALib).

    ``SALib.sample.sobol.sample`` draws ``N (d + 2)`` points of the unit cube (Saltelli's
    scheme on a scrambled Sobol' sequence, no second-order terms); they are mapped to each
    assumption with the same inverse CDF as :func:`sample_assumptions`, ``model`` is evaluated
    once on all of them, and ``SALib.analyze.sobol.analyze`` estimates ``S1`` and ``ST`` with
    bootstrap confidence intervals. Indices refer to the chosen input distribution.

    Parameters
    ----------
    model : callable
        Takes a DataFrame (one row per run, one column per assumption, named as in
        ``ranges``) and returns one finite output per row (vectorise it; loop inside if need be).
    ranges : mapping
        ``{name: (low, high, default)}``, at least one.
    n : int
        Base sample size ``N``, a power of 2 (e.g. 1024; 8192 for smooth estimates).
    seed : int
        Seeds the scrambling and the bootstrap (reproducible results).
    distribution : {"uniform", "triangular"}, default "uniform"
        Input distribution (uniform is the convention for global sensitivity).
    num_resamples : int, default 100
        Bootstrap resamples for the confidence intervals.
    conf_level : float, default 0.95
        Confidence level of ``S1_conf`` / ``ST_conf`` (half-widths).

    Returns
    -------
    pd.DataFrame
        Columns ``parameter``, ``S1``, ``S1_conf``, ``ST``, ``ST_conf``, sorted by ``ST``
        descending (ties by name), index 0..d-1. ``attrs["n_runs"]`` = model evaluations.
        Estimates can be slightly negative or above 1 through sampling error.

    Raises
    ------
    ParameterError
        Invalid ranges, ``n`` not a power of 2, bad options.
    DataError
        The model output has the wrong length, is not finite, or is constant (no variance
        to attribute).
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    names, lo, hi, mode = _check_ranges(ranges)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2 or (int(n) & (int(n) - 1)):
        raise ParameterError(f"n={n!r}; pass a power of 2 >= 2 (e.g. 1024), as Sobol' sequences need.")
    _check_distribution(distribution)
    seed = _check_seed(seed)
    if not (0 < conf_level < 1):
        raise ParameterError(f"conf_level={conf_level!r}; pass a level in (0, 1), e.g. 0.95.")
    # SALib always samples the unit cube here; the transformation to each range is ours.
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    u = sobol_sample.sample(problem, int(n), calc_second_order=False, scramble=True, seed=seed)
    x = pd.DataFrame(_ppf(u, lo, hi, mode, distribution), columns=names)
    y = np.asarray(model(x), dtype=float).reshape(-1)
    if y.shape != (len(x),):
        raise DataError(f"model returned {y.size} values for {len(x)} runs; return one output per input row.")
    if not np.all(np.isfinite(y)):
        raise DataError(f"model returned {int((~np.isfinite(y)).sum())} missing or infinite value(s); it must be finite on the whole range.")
    if np.ptp(y) == 0:
        raise DataError("model output is constant over the ranges; there is no variance to attribute to the assumptions.")
    # SALib's analyze ignores seed=0 (falls back to the global numpy state): derive a non-zero one.
    boot_seed = int(np.random.SeedSequence(seed).generate_state(1)[0]) | 1
    si = sobol_analyze.analyze(
        problem, y, calc_second_order=False, num_resamples=int(num_resamples), conf_level=float(conf_level),
        print_to_console=False, seed=boot_seed,
    )
    out = pd.DataFrame(
        {
            "parameter": names,
            "S1": np.asarray(si["S1"], dtype=float),
            "S1_conf": np.asarray(si["S1_conf"], dtype=float),
            "ST": np.asarray(si["ST"], dtype=float),
            "ST_conf": np.asarray(si["ST_conf"], dtype=float),
        }
    )
    out = out.sort_values(["ST", "parameter"], ascending=[False, True], kind="stable", ignore_index=True)
    out.attrs["n_runs"] = len(x)
    return out


# ---------------------------------------------------------------------------
# Probability of being the best choice
# ---------------------------------------------------------------------------


def _as_sets(best: Iterable[Iterable[str]] | pd.Series) -> list[tuple[str, ...]]:
    sets = []
    for i, item in enumerate(best):
        if item is None or isinstance(item, float) and math.isnan(item):
            raise DataError(f"draw {i} has no best site set; every draw needs one (re-run or drop the draw explicitly).")
        items = (item,) if isinstance(item, str) else tuple(item)
        sets.append(tuple(sorted(map(str, items))))
    if not sets:
        raise DataError("best is empty; pass one best site set per draw.")
    return sets


def kans_beste_keuze(best: Iterable[Iterable[str]] | pd.Series) -> pd.DataFrame:
    """Share of draws in which each site set is the best one.

    Parameters
    ----------
    best : iterable of iterables of str
        Per draw the best set of new sites (order within a set does not matter; a single
        site id may be given as a string).

    Returns
    -------
    pd.DataFrame
        Columns ``sites`` (sorted tuple), ``n_draws`` and ``share`` (sums to 1), sorted by
        ``share`` descending, ties by ``sites``.

    Examples
    --------
    >>> kans_beste_keuze([("b", "a"), ("a", "b"), ("c", "a"), ("a", "b")])
        sites  n_draws  share
    0  (a, b)        3   0.75
    1  (a, c)        1   0.25
    """
    sets = _as_sets(best)
    counts = pd.Series(sets, dtype=object).value_counts(sort=False)
    out = pd.DataFrame({"sites": list(counts.index), "n_draws": counts.to_numpy(dtype=int)})
    out["share"] = out["n_draws"] / len(sets)
    return out.sort_values(["n_draws", "sites"], ascending=[False, True], kind="stable", ignore_index=True)


def kans_per_locatie(best: Iterable[Iterable[str]] | pd.Series) -> pd.Series:
    """Share of draws in which each site is part of the best set (shares sum to ``k_new``).

    Examples
    --------
    >>> kans_per_locatie([("a", "b"), ("a", "c")]).to_dict()
    {'a': 1.0, 'b': 0.5, 'c': 0.5}
    """
    sets = _as_sets(best)
    counts = pd.Series([s for st in sets for s in st], dtype=object).value_counts()
    share = (counts / len(sets)).rename("share")
    share.index.name = "site"
    return share.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
