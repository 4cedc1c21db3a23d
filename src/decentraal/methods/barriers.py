"""Composite barrier index: standardise indicators, combine them, test the ranking.

The workflow is

1. :func:`standardise` turns each indicator column into a z-score and flips the sign of
   indicators where a *lower* value means more barrier (e.g. income), so that in the
   result a higher z always means more barrier;
2. :func:`composite_index` takes a weighted mean of the z-scores per area and ranks the
   areas (rank 1 = highest barrier);
3. :func:`rank_stability` checks how much that ranking depends on the chosen weights
   (random weights around the chosen ones, and leaving out one indicator at a time);
   :func:`weight_draw_ranks` returns the ranks of those draws, :func:`perturbed_ranks`
   redraws uncertain indicator values instead, :func:`percentile_normalise` is an
   alternative to z-scores and :func:`dimension_scores` averages indicators within
   dimensions before the index (see :mod:`decentraal.methods.diagnostics` for the
   comparison of the resulting rankings);
4. :func:`compare_to_mean` is the plain-language companion: per area and indicator,
   is the value more than ``k`` standard deviations above or below the city mean?

Conventions
-----------
* Areas are rows, identified by the (unique) index; indicators are columns.
* Standard deviations are population SDs (``ddof=0``): the areas are the whole city,
  not a sample of it.
* Missing values are never imputed. They stay NaN in z-scores, are handled by the
  ``missing`` rule of :func:`composite_index`, and are reported in its output columns.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from decentraal.errors import DataError, ParameterError

__all__ = [
    "DIRECTIONS",
    "DirectionError",
    "IndicatorError",
    "WeightsError",
    "compare_to_mean",
    "composite_index",
    "dimension_scores",
    "percentile_normalise",
    "perturbed_ranks",
    "rank_stability",
    "standardise",
    "weight_draw_ranks",
]

#: Valid values of an indicator direction.
DIRECTIONS: tuple[str, str] = ("higher_is_barrier", "lower_is_barrier")

#: Values of the ``mean_source`` column of :func:`compare_to_mean`.
MEAN_SOURCE_PUBLISHED = "gemeente (gepubliceerd)"
MEAN_SOURCE_AREAS = "gemiddelde van gebieden"

#: Tolerance for comparing weight shares (sums of floats) with thresholds.
_SHARE_TOL = 1e-9
#: Index values are rounded to this many decimals before ranking, so that areas whose
#: index is equal up to floating-point noise share a rank.
_RANK_DECIMALS = 10


class DirectionError(ParameterError):
    """An indicator direction is unknown or refers to a column that does not exist."""


class WeightsError(ParameterError):
    """The indicator weights are invalid (negative, unknown key, missing key, all zero)."""


class IndicatorError(DataError):
    """An indicator column cannot be used (not numeric, infinite, constant, too few values)."""


# --------------------------------------------------------------------------- helpers
def _quote(names: Iterable[object]) -> str:
    return ", ".join(f"'{n}'" for n in names)


def _check_unique_index(frame: pd.DataFrame, what: str) -> None:
    if not frame.index.is_unique:
        dupes = frame.index[frame.index.duplicated()].unique().tolist()
        raise IndicatorError(
            f"{what} has duplicate area codes in its index ({_quote(dupes[:10])}); "
            "make the index one unique code per area, e.g. with .set_index('code')"
        )


def _numeric_values(frame: pd.DataFrame, column: str, what: str) -> np.ndarray:
    """Return a column as float array, raising if it is not numeric or holds +/-inf."""
    series = frame[column]
    if not (pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)):
        raise IndicatorError(
            f"column '{column}' of {what} has dtype {series.dtype} but must be numeric; "
            "convert it with pd.to_numeric or leave it out of the indicators"
        )
    values = series.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(values).any():
        bad = frame.index[np.isinf(values)].tolist()
        raise IndicatorError(
            f"column '{column}' of {what} holds infinite values for area(s) {_quote(bad[:10])}; "
            "replace them with NaN (missing) or a finite value"
        )
    return values


def _align_population(population: pd.Series, index: pd.Index) -> np.ndarray:
    """Return population as float array in the order of ``index``, after validation."""
    if not isinstance(population, pd.Series):
        raise ParameterError(
            f"population must be a pandas Series indexed by area code, got {type(population).__name__}"
        )
    if not population.index.is_unique:
        raise ParameterError("population has duplicate area codes in its index; give one value per area")
    absent = index.difference(population.index)
    if len(absent):
        raise ParameterError(
            f"population has no value for area(s) {_quote(absent[:10].tolist())}; "
            "give a population for every area of the table (its index must hold the same codes)"
        )
    values = pd.to_numeric(population.reindex(index), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        raise ParameterError(
            f"population is missing, not numeric or negative for area(s) {_quote(index[bad][:10].tolist())}; "
            "population weights must be finite and >= 0"
        )
    return values


def _mean_sd(values: np.ndarray, population: np.ndarray | None, column: str) -> tuple[float, float, int]:
    """(Population-weighted) mean and SD (ddof=0) over the non-missing values.

    Returns the mean, the SD and the number of areas the statistics are based on.
    """
    present = ~np.isnan(values)
    x = values[present]
    if population is None:
        weights = np.ones_like(x)
    else:
        weights = population[present]
    n_used = int((weights > 0).sum())
    if n_used < 2:
        raise IndicatorError(
            f"indicator '{column}' has a value (with positive population weight) for only {n_used} "
            "area(s); at least two are needed to compute a mean and standard deviation"
        )
    total = weights.sum()
    mean = float((weights * x).sum() / total)
    sd = float(np.sqrt((weights * (x - mean) ** 2).sum() / total))
    if sd <= 1e-12 * max(1.0, abs(mean)):
        raise IndicatorError(
            f"indicator '{column}' is constant across areas (every value is {mean:g}), so it "
            "cannot be standardised; leave it out of the indicators"
        )
    return mean, sd, n_used


def _validate_weights(weights: Mapping[str, float], columns: pd.Index) -> np.ndarray:
    """Return weights in column order, normalised to sum 1, after validation."""
    if not isinstance(weights, Mapping):
        raise WeightsError(f"weights must be a mapping indicator -> weight, got {type(weights).__name__}")
    valid = _quote(columns)
    unknown = [key for key in weights if key not in columns]
    if unknown:
        raise WeightsError(
            f"weights has unknown indicator(s) {_quote(unknown)}; valid keys are the columns of z: {valid}"
        )
    absent = [col for col in columns if col not in weights]
    if absent:
        raise WeightsError(
            f"weights has no weight for indicator(s) {_quote(absent)}; give a weight for every "
            f"column of z (use 0 to leave an indicator out); valid keys: {valid}"
        )
    raw = np.empty(len(columns), dtype=float)
    for pos, col in enumerate(columns):
        value = weights[col]
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise WeightsError(f"weight for indicator '{col}' is {value!r} but must be a number >= 0") from None
        if not math.isfinite(number):
            raise WeightsError(f"weight for indicator '{col}' is {number} but must be a finite number >= 0")
        if number < 0:
            raise WeightsError(
                f"weight for indicator '{col}' is {number:g} but must be non-negative "
                "(use 0 to leave an indicator out)"
            )
        raw[pos] = number
    total = raw.sum()
    if total <= 0:
        raise WeightsError(
            f"all weights are zero; give at least one indicator a positive weight (valid keys: {valid})"
        )
    return raw / total


def _validate_z(z: pd.DataFrame) -> np.ndarray:
    if not isinstance(z, pd.DataFrame):
        raise IndicatorError(f"z must be a pandas DataFrame of z-scores, got {type(z).__name__}")
    if z.shape[1] == 0:
        raise IndicatorError("z has no indicator columns")
    _check_unique_index(z, "z")
    return np.column_stack([_numeric_values(z, col, "z") for col in z.columns])


def _validate_missing(missing: str, min_share: float) -> None:
    if missing not in ("reweight", "drop"):
        raise ParameterError(f"missing is {missing!r} but must be 'reweight' or 'drop'")
    if not (isinstance(min_share, (int, float)) and 0.0 <= float(min_share) <= 1.0):
        raise ParameterError(f"min_share is {min_share!r} but must be a number between 0 and 1")


def _index_matrix(
    values: np.ndarray,
    weight_rows: np.ndarray,
    required: np.ndarray,
    *,
    missing: str,
    min_share: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Composite index for one or many weight vectors at once.

    Parameters
    ----------
    values : ndarray, shape (n_areas, n_indicators)
        z-scores, NaN where missing.
    weight_rows : ndarray, shape (n_sets, n_indicators)
        Weight vectors, each non-negative and summing to 1.
    required : ndarray of bool, shape (n_indicators,)
        Indicators that must be present under ``missing="drop"`` (those with a
        positive baseline weight).

    Returns
    -------
    index, share : ndarray, shape (n_areas, n_sets)
        The index (NaN where not computable) and the available weight share.
    """
    available = ~np.isnan(values)
    filled = np.where(available, values, 0.0)
    share = available.astype(float) @ weight_rows.T
    numerator = filled @ weight_rows.T
    with np.errstate(invalid="ignore", divide="ignore"):
        index = numerator / share
    if missing == "reweight":
        keep = (share > _SHARE_TOL) & (share >= min_share - _SHARE_TOL)
    else:  # "drop": every indicator with a positive weight must be present
        complete = available[:, required].all(axis=1)
        keep = np.repeat(complete[:, None], weight_rows.shape[0], axis=1)
    return np.where(keep, index, np.nan), share


def _rank_descending(index: np.ndarray) -> np.ndarray:
    """Rank along axis 0, 1 = highest, ties share the lowest rank, NaN stays NaN."""
    rounded = np.round(index, _RANK_DECIMALS)
    if np.isnan(rounded).all():
        return np.full(rounded.shape, np.nan)
    return rankdata(-rounded, method="min", axis=0, nan_policy="omit").astype(float)


# --------------------------------------------------------------------------- public API
def standardise(
    table: pd.DataFrame,
    directions: Mapping[str, str],
    *,
    population: pd.Series | None = None,
) -> pd.DataFrame:
    """Z-score each indicator so that a higher value always means more barrier.

    For each indicator column ``x`` the z-score is ``(x - mean) / sd``, multiplied by -1
    when the indicator's direction is ``"lower_is_barrier"``. Mean and SD are taken over
    the areas that have a value (``ddof=0``). If ``population`` is given they are
    population-weighted::

        mean = sum(p_i * x_i) / sum(p_i)
        sd   = sqrt(sum(p_i * (x_i - mean)**2) / sum(p_i))

    so that a z-score of 0 is the level of the average *resident* rather than of the
    average area, and small areas do not dominate the spread.

    Parameters
    ----------
    table : DataFrame
        One row per area (unique index = area code), indicator values in columns. Columns
        not named in ``directions`` are ignored and not returned.
    directions : Mapping[str, str]
        Indicator column -> ``"higher_is_barrier"`` or ``"lower_is_barrier"``.
    population : Series, optional
        Population per area, indexed by area code; must cover every area of ``table``,
        values finite and >= 0.

    Returns
    -------
    DataFrame
        Same index as ``table``, one column per key of ``directions`` (in that order).
        NaN input stays NaN. ``attrs`` holds ``"mean"``, ``"sd"`` and ``"n_missing"``
        (dicts per indicator) and ``"population_weighted"`` (bool).

    Raises
    ------
    DirectionError
        A direction is not one of :data:`DIRECTIONS`, or names a column not in ``table``.
    IndicatorError
        A column is not numeric, holds infinite values, is constant, or has fewer than
        two values.
    ParameterError
        ``population`` does not cover every area or has invalid values.
    """
    if not isinstance(table, pd.DataFrame):
        raise IndicatorError(f"table must be a pandas DataFrame, got {type(table).__name__}")
    _check_unique_index(table, "table")
    if not directions:
        raise DirectionError("directions is empty; give at least one indicator column and its direction")
    for column, direction in directions.items():
        if column not in table.columns:
            raise DirectionError(
                f"indicator '{column}' is in directions but not a column of the table; "
                f"available columns: {_quote(table.columns)}"
            )
        if direction not in DIRECTIONS:
            raise DirectionError(
                f"indicator '{column}' has direction {direction!r} but must be "
                "'higher_is_barrier' or 'lower_is_barrier'"
            )
    weights = None if population is None else _align_population(population, table.index)

    columns: dict[str, np.ndarray] = {}
    means: dict[str, float] = {}
    sds: dict[str, float] = {}
    n_missing: dict[str, int] = {}
    for column, direction in directions.items():
        values = _numeric_values(table, column, "table")
        mean, sd, _ = _mean_sd(values, weights, column)
        sign = 1.0 if direction == "higher_is_barrier" else -1.0
        columns[column] = sign * (values - mean) / sd
        means[column], sds[column] = mean, sd
        n_missing[column] = int(np.isnan(values).sum())

    result = pd.DataFrame(columns, index=table.index.copy())
    result.attrs = {
        "mean": means,
        "sd": sds,
        "n_missing": n_missing,
        "population_weighted": population is not None,
    }
    return result


def composite_index(
    z: pd.DataFrame,
    weights: Mapping[str, float],
    *,
    missing: Literal["reweight", "drop"] = "reweight",
    min_share: float = 0.5,
) -> pd.DataFrame:
    """Weighted mean of z-scores per area, and the resulting rank.

    The weights are validated and normalised to sum to 1. Per area:

    * ``missing="reweight"`` (default): the index is the weighted mean of the z-scores
      that are available, with the weights re-normalised over those indicators,
      ``sum(w_j * z_j for available j) / sum(w_j for available j)``. The denominator is
      reported as ``weight_share_available``; if it is below ``min_share`` the index is
      NaN (too little information).
    * ``missing="drop"``: the index is NaN for any area missing an indicator that has a
      positive weight (a missing indicator with weight 0 does not matter).

    Parameters
    ----------
    z : DataFrame
        Output of :func:`standardise` (higher = more barrier), areas in rows.
    weights : Mapping[str, float]
        Indicator -> weight; keys must equal the columns of ``z``; weights >= 0, not all
        zero. Use 0 to leave an indicator out.
    missing : {"reweight", "drop"}
        Rule for areas with missing indicators, see above.
    min_share : float
        Minimum share (0..1) of the total weight that must be available under
        ``"reweight"``.

    Returns
    -------
    DataFrame
        Same index as ``z`` with columns

        - ``index``: the composite index (float, NaN if not computable);
        - ``rank``: 1 = highest barrier, ties share the lowest rank (``method="min"``),
          NaN where the index is NaN; index values equal to 10 decimals count as ties;
        - ``n_missing``: number of missing indicators (any weight);
        - ``missing_indicators``: their names, comma-separated (``""`` if none);
        - ``weight_share_available``: share of the total weight that is available.

        ``attrs`` records ``"weights"`` (normalised), ``"missing"`` and ``"min_share"``.

    Raises
    ------
    WeightsError
        Weights negative, not finite, with unknown or missing keys, or all zero.
    IndicatorError
        ``z`` has non-numeric or infinite values or duplicate area codes.
    """
    values = _validate_z(z)
    w = _validate_weights(weights, z.columns)
    _validate_missing(missing, min_share)

    index, share = _index_matrix(values, w[None, :], w > 0, missing=missing, min_share=float(min_share))
    index, share = index[:, 0], share[:, 0]
    absent = np.isnan(values)
    names = np.asarray(z.columns, dtype=object)
    result = pd.DataFrame(
        {
            "index": index,
            "rank": _rank_descending(index[:, None])[:, 0],
            "n_missing": absent.sum(axis=1).astype(int),
            "missing_indicators": [", ".join(str(n) for n in names[row]) for row in absent],
            "weight_share_available": share,
        },
        index=z.index.copy(),
    )
    result.attrs = {
        "weights": dict(zip(z.columns, w.tolist(), strict=True)),
        "missing": missing,
        "min_share": float(min_share),
    }
    return result


def rank_stability(
    z: pd.DataFrame,
    weights: Mapping[str, float],
    *,
    n_draws: int = 1000,
    concentration: float = 50.0,
    seed: int = 0,
    top_n: int = 3,
    missing: Literal["reweight", "drop"] = "reweight",
    min_share: float = 0.5,
) -> pd.DataFrame:
    """How much does the ranking depend on the weights?

    Two checks:

    1. **Random weights.** ``n_draws`` weight vectors are drawn from a Dirichlet
       distribution with ``alpha = concentration * w`` (``w`` the normalised chosen
       weights), so on average they equal the chosen weights; a higher
       ``concentration`` keeps them closer. Indicators with weight 0 keep weight 0. For
       each draw the index is recomputed (same ``missing``/``min_share`` rule as
       :func:`composite_index`) and the areas are re-ranked.
    2. **Leave one indicator out.** For each indicator with a positive weight, the index
       is recomputed without it (remaining weights re-normalised) and re-ranked.

    Parameters
    ----------
    z, weights, missing, min_share
        As in :func:`composite_index`.
    n_draws : int
        Number of Dirichlet draws (> 0).
    concentration : float
        Dirichlet concentration (> 0).
    seed : int
        Seed for ``numpy.random.default_rng``; the same seed gives the same result.
    top_n : int
        An area counts as "top" in a draw when its rank is <= ``top_n``.

    Returns
    -------
    DataFrame
        Same index as ``z`` with columns

        - ``rank``: baseline rank from :func:`composite_index`;
        - ``p_top_n``: share of draws with rank <= ``top_n``;
        - ``p_top_quartile``: share of draws with rank <= ceil(n_ranked / 4), where
          ``n_ranked`` is the number of areas with an index in that draw;
        - ``rank_median``, ``rank_p05``, ``rank_p95``: median and 5th/95th percentile
          of the rank over the draws (linear interpolation, so may be fractional);
        - ``loo_rank_min``, ``loo_rank_max``: best and worst rank over the
          leave-one-out variants.

        A draw in which an area has no index counts as "not top"; rank percentiles use
        only the draws where it has one (NaN if none). ``attrs`` records the settings.

    Raises
    ------
    ParameterError
        Invalid ``n_draws``, ``concentration``, ``top_n``, or fewer than two indicators
        with a positive weight (nothing to vary).
    WeightsError, IndicatorError
        As in :func:`composite_index`.
    """
    values = _validate_z(z)
    w = _validate_weights(weights, z.columns)
    _validate_missing(missing, min_share)
    for name, value in (("n_draws", n_draws), ("top_n", top_n)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ParameterError(f"{name} is {value!r} but must be a positive integer")
    if not (isinstance(concentration, (int, float)) and math.isfinite(concentration) and concentration > 0):
        raise ParameterError(f"concentration is {concentration!r} but must be a positive number")
    positive = w > 0
    if positive.sum() < 2:
        raise ParameterError(
            "rank_stability needs at least two indicators with a positive weight; with one there "
            f"is nothing to vary (positive weights: {_quote(z.columns[positive])})"
        )

    baseline = composite_index(z, weights, missing=missing, min_share=min_share)

    # 1. Dirichlet draws, shape (n_draws, n_indicators); zero weights stay zero.
    rng = np.random.default_rng(seed)
    draws = np.zeros((n_draws, len(w)))
    draws[:, positive] = rng.dirichlet(concentration * w[positive], size=n_draws)
    index, _ = _index_matrix(values, draws, positive, missing=missing, min_share=float(min_share))
    ranks = _rank_descending(index)  # (n_areas, n_draws)
    ranked = ~np.isnan(ranks)
    quartile_cut = np.ceil(ranked.sum(axis=0) / 4.0)  # per draw
    p_top_n = (ranked & (ranks <= top_n)).mean(axis=1)
    p_top_quartile = (ranked & (ranks <= quartile_cut[None, :])).mean(axis=1)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "All-NaN slice encountered", RuntimeWarning)
        median, p05, p95 = np.nanquantile(ranks, [0.5, 0.05, 0.95], axis=1)

    # 2. Leave one indicator out.
    loo = []
    for column in z.columns[positive]:
        rest = z.drop(columns=column)
        rest_weights = {key: float(weights[key]) for key in rest.columns}
        loo.append(composite_index(rest, rest_weights, missing=missing, min_share=min_share)["rank"].to_numpy())
    loo_ranks = np.column_stack(loo)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "All-NaN", RuntimeWarning)
        loo_min, loo_max = np.nanmin(loo_ranks, axis=1), np.nanmax(loo_ranks, axis=1)

    result = pd.DataFrame(
        {
            "rank": baseline["rank"].to_numpy(),
            "p_top_n": p_top_n,
            "p_top_quartile": p_top_quartile,
            "rank_median": median,
            "rank_p05": p05,
            "rank_p95": p95,
            "loo_rank_min": loo_min,
            "loo_rank_max": loo_max,
        },
        index=z.index.copy(),
    )
    result.attrs = {
        "n_draws": int(n_draws),
        "concentration": float(concentration),
        "seed": seed,
        "top_n": int(top_n),
        "missing": missing,
        "min_share": float(min_share),
        "weights": baseline.attrs["weights"],
    }
    return result


def compare_to_mean(
    table: pd.DataFrame,
    *,
    reference: pd.Series | None = None,
    population: pd.Series | None = None,
    k: float = 1.0,
) -> pd.DataFrame:
    """Flag, per area and indicator, values far above or below the city mean.

    For each indicator column the mean and SD (``ddof=0``) are taken over the areas with
    a value, population-weighted if ``population`` is given (same formulas as
    :func:`standardise`). If ``reference`` has a (non-missing) value for the indicator,
    typically the municipal figure published by the source, that value is used as the
    mean instead; the SD is still the spread across areas. Then
    ``z = (value - mean) / sd`` and the flag is ``"boven"`` if ``z > k``, ``"onder"`` if
    ``z < -k`` and ``""`` otherwise. There is no direction here: "boven" means a higher
    value, not necessarily more barrier.

    Parameters
    ----------
    table : DataFrame
        One row per area (unique index = area code); every column is an indicator and
        must be numeric (select the indicator columns first).
    reference : Series, optional
        Indicator -> published municipal value. May cover a subset of the indicators;
        NaN entries count as "not published".
    population : Series, optional
        Population per area, as in :func:`standardise`.
    k : float
        Threshold in standard deviations (> 0).

    Returns
    -------
    DataFrame
        Long table, one row per area and indicator (areas in table order, then
        indicators in column order), with columns ``area``, ``indicator``, ``value``,
        ``mean``, ``mean_source`` (``"gemeente (gepubliceerd)"`` or
        ``"gemiddelde van gebieden"``), ``sd``, ``z`` and ``flag``. Rows with a missing
        value are kept, with ``z`` NaN and flag ``""``; ``attrs["n_missing"]`` counts
        them per indicator.

    Raises
    ------
    IndicatorError
        A column is not numeric or infinite, constant, or has fewer than two values.
    ParameterError
        ``k`` not positive, ``reference`` names unknown indicators, invalid
        ``population``.
    """
    if not isinstance(table, pd.DataFrame):
        raise IndicatorError(f"table must be a pandas DataFrame, got {type(table).__name__}")
    _check_unique_index(table, "table")
    if not (isinstance(k, (int, float)) and math.isfinite(k) and k > 0):
        raise ParameterError(f"k is {k!r} but must be a positive number of standard deviations")
    if reference is None:
        reference = pd.Series(dtype=float)
    if not isinstance(reference, pd.Series):
        raise ParameterError(f"reference must be a pandas Series indicator -> value, got {type(reference).__name__}")
    unknown = [key for key in reference.index if key not in table.columns]
    if unknown:
        raise ParameterError(
            f"reference has value(s) for unknown indicator(s) {_quote(unknown)}; "
            f"valid indicators are the columns of the table: {_quote(table.columns)}"
        )
    weights = None if population is None else _align_population(population, table.index)

    blocks = []
    n_missing: dict[str, int] = {}
    for column in table.columns:
        values = _numeric_values(table, column, "table")
        mean, sd, _ = _mean_sd(values, weights, column)
        published = reference.get(column, np.nan)
        published = pd.to_numeric(published, errors="coerce")
        if pd.notna(published):
            mean, source = float(published), MEAN_SOURCE_PUBLISHED
        else:
            source = MEAN_SOURCE_AREAS
        z = (values - mean) / sd
        flag = np.where(z > k, "boven", np.where(z < -k, "onder", ""))
        n_missing[column] = int(np.isnan(values).sum())
        blocks.append(
            pd.DataFrame(
                {
                    "area": table.index.to_numpy(),
                    "indicator": column,
                    "value": values,
                    "mean": mean,
                    "mean_source": source,
                    "sd": sd,
                    "z": z,
                    "flag": flag,
                }
            )
        )
    if not blocks:
        raise IndicatorError("table has no indicator columns")
    long = pd.concat(blocks, ignore_index=True)
    order = np.argsort(
        np.tile(np.arange(len(table)), len(table.columns)), kind="stable"
    )  # area-major order: area 1 (all indicators), area 2, ...
    long = long.iloc[order].reset_index(drop=True)
    long.attrs = {"k": float(k), "population_weighted": population is not None, "n_missing": n_missing}
    return long


# --------------------------------------------------------------------------- robustness (additions)
def percentile_normalise(table: pd.DataFrame, directions: Mapping[str, str]) -> pd.DataFrame:
    """Percentile rank of each indicator, 0 = least and 1 = most barrier (alternative to :func:`standardise`).

    For each indicator the values (sign flipped for ``"lower_is_barrier"``) are ranked over the
    areas that have a value, ties sharing their average rank, and scaled to
    ``(rank - 1) / (n - 1)``. Unlike a z-score this ignores how far apart the values are, so one
    extreme area does not dominate an indicator. Missing values stay NaN.

    Parameters
    ----------
    table, directions
        As in :func:`standardise` (no population weighting).

    Returns
    -------
    DataFrame
        Same index as ``table``, one column per key of ``directions``; ``attrs["n_missing"]``
        per indicator.

    Raises
    ------
    DirectionError, IndicatorError
        As in :func:`standardise` (an indicator must have at least two distinct values).

    Examples
    --------
    >>> t = pd.DataFrame({"x": [3.0, 1.0, 2.0, 2.0], "y": [10.0, 20.0, None, 30.0]}, index=list("abcd"))
    >>> percentile_normalise(t, {"x": "higher_is_barrier", "y": "lower_is_barrier"}).round(3).to_dict("list")
    {'x': [1.0, 0.0, 0.5, 0.5], 'y': [1.0, 0.5, nan, 0.0]}
    """
    if not isinstance(table, pd.DataFrame):
        raise IndicatorError(f"table must be a pandas DataFrame, got {type(table).__name__}")
    _check_unique_index(table, "table")
    if not directions:
        raise DirectionError("directions is empty; give at least one indicator column and its direction")
    columns: dict[str, np.ndarray] = {}
    n_missing: dict[str, int] = {}
    for column, direction in directions.items():
        if column not in table.columns:
            raise DirectionError(f"indicator '{column}' is in directions but not a column of the table")
        if direction not in DIRECTIONS:
            raise DirectionError(f"indicator '{column}' has direction {direction!r}; valid: {_quote(DIRECTIONS)}")
        values = _numeric_values(table, column, "table")
        present = ~np.isnan(values)
        if np.unique(values[present]).size < 2:
            raise IndicatorError(
                f"indicator '{column}' has fewer than two distinct values, so it has no percentile ranks"
            )
        sign = 1.0 if direction == "higher_is_barrier" else -1.0
        ranks = rankdata(sign * values[present], method="average")
        out = np.full(values.shape, np.nan)
        out[present] = (ranks - 1.0) / (present.sum() - 1.0)
        columns[column] = out
        n_missing[column] = int((~present).sum())
    result = pd.DataFrame(columns, index=table.index.copy())
    result.attrs = {"n_missing": n_missing}
    return result


def dimension_scores(
    z: pd.DataFrame,
    weights: Mapping[str, float],
    dimensions: Mapping[str, Iterable[str]],
    *,
    weighting: Literal["sum", "mean"] = "sum",
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Aggregate indicator scores within dimensions before the index.

    Per area, a dimension's score is the unweighted mean of its members' available scores (NaN
    if none is available). Passing the result to :func:`composite_index` gives the weighted
    mean of the dimensions. The weight of a dimension is

    * ``weighting="sum"``: the sum of its members' weights. The dimensions then carry the same
      total weight as their indicators; with equal indicator weights and every indicator known
      the index is *identical* to the index of the indicators (``(3/7) * mean(a, b, c)`` is
      ``(a + b + c) / 7``), so the aggregation only matters where an indicator is missing or
      where the weights within a dimension differ;
    * ``weighting="mean"``: the mean of its members' weights, so with equal indicator weights
      every dimension counts once, however many indicators measure it. This is the variant
      that stops strongly correlated indicators (e.g. income, origin and health) from counting
      one underlying dimension several times.

    Parameters
    ----------
    z : DataFrame
        Scores per area (e.g. from :func:`standardise`), indicators in columns.
    weights : Mapping[str, float]
        Indicator -> weight, as in :func:`composite_index`. Indicators with weight 0 are left out.
    dimensions : Mapping[str, Iterable[str]]
        Dimension name -> member indicators. Members that are not columns of ``z`` are ignored
        (an indicator that does not exist at this level); a dimension without any member in
        ``z`` with a positive weight is left out.
    weighting : {"sum", "mean"}
        How the members' weights make the dimension's weight, see above.

    Returns
    -------
    scores : DataFrame
        One column per dimension kept, same index as ``z``.
    dimension_weights : dict
        Dimension -> sum (or mean) of its members' (validated, normalised) weights.

    Raises
    ------
    ParameterError
        An indicator with a positive weight belongs to no dimension or to more than one.
    WeightsError, IndicatorError
        As in :func:`composite_index`.

    Examples
    --------
    >>> z = pd.DataFrame({"a": [1.0, -1.0], "b": [3.0, None], "c": [0.0, 2.0]}, index=["p", "q"])
    >>> scores, w = dimension_scores(z, {"a": 1, "b": 1, "c": 2}, {"ab": ["a", "b"], "c": ["c"]})
    >>> scores.to_dict("list"), w
    ({'ab': [2.0, -1.0], 'c': [0.0, 2.0]}, {'ab': 0.5, 'c': 0.5})
    >>> dimension_scores(z, {"a": 1, "b": 1, "c": 2}, {"ab": ["a", "b"], "c": ["c"]}, weighting="mean")[1]
    {'ab': 0.25, 'c': 0.5}
    """
    if weighting not in ("sum", "mean"):
        raise ParameterError(f"weighting is {weighting!r} but must be 'sum' or 'mean'")
    values = _validate_z(z)
    w = _validate_weights(weights, z.columns)
    positive = [col for col, wt in zip(z.columns, w, strict=True) if wt > 0]
    member_of: dict[str, list[str]] = {col: [] for col in positive}
    for name, members in dimensions.items():
        for member in members:
            if member in member_of:
                member_of[member].append(name)
    orphans = [col for col, dims in member_of.items() if not dims]
    doubles = [col for col, dims in member_of.items() if len(dims) > 1]
    if orphans or doubles:
        raise ParameterError(
            "every indicator with a positive weight must belong to exactly one dimension; "
            f"in none: {_quote(orphans) or '-'}; in several: {_quote(doubles) or '-'}"
        )
    position = {col: i for i, col in enumerate(z.columns)}
    scores: dict[str, np.ndarray] = {}
    dim_weights: dict[str, float] = {}
    for name, members in dimensions.items():
        kept = [position[m] for m in members if m in member_of]
        if not kept:
            continue
        block = values[:, kept]
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Mean of empty slice", RuntimeWarning)
            scores[name] = np.nanmean(block, axis=1)
        dim_weights[name] = float(w[kept].sum() if weighting == "sum" else w[kept].mean())
    return pd.DataFrame(scores, index=z.index.copy()), dim_weights


def weight_draw_ranks(
    z: pd.DataFrame,
    weights: Mapping[str, float],
    *,
    n_draws: int = 1000,
    concentration: float = 50.0,
    seed: int = 0,
    missing: Literal["reweight", "drop"] = "reweight",
    min_share: float = 0.5,
) -> np.ndarray:
    """The rank of every area in each Dirichlet weight draw of :func:`rank_stability`.

    Same draws as :func:`rank_stability` with the same arguments (same generator, same order),
    returned as a matrix so that the agreement with the baseline ranking can be measured.

    Returns
    -------
    ndarray, shape (n_areas, n_draws)
        Rank per area (rows in ``z`` order) and draw; NaN where an area has no index.
    """
    values = _validate_z(z)
    w = _validate_weights(weights, z.columns)
    _validate_missing(missing, min_share)
    if isinstance(n_draws, bool) or not isinstance(n_draws, (int, np.integer)) or n_draws < 1:
        raise ParameterError(f"n_draws is {n_draws!r} but must be a positive integer")
    if not (isinstance(concentration, (int, float)) and math.isfinite(concentration) and concentration > 0):
        raise ParameterError(f"concentration is {concentration!r} but must be a positive number")
    positive = w > 0
    rng = np.random.default_rng(seed)
    draws = np.zeros((n_draws, len(w)))
    draws[:, positive] = rng.dirichlet(concentration * w[positive], size=n_draws)
    index, _ = _index_matrix(values, draws, positive, missing=missing, min_share=float(min_share))
    return _rank_descending(index)


def perturbed_ranks(
    table: pd.DataFrame,
    directions: Mapping[str, str],
    weights: Mapping[str, float],
    noise_sd: Mapping[str, float],
    *,
    n_draws: int = 1000,
    seed: int = 0,
    dimensions: Mapping[str, Iterable[str]] | None = None,
    weighting: Literal["sum", "mean"] = "sum",
    missing: Literal["reweight", "drop"] = "reweight",
    min_share: float = 0.5,
) -> np.ndarray:
    """The ranking when uncertain indicator values are redrawn: how much does it depend on the data?

    In each of ``n_draws`` draws every area's value of an indicator in ``noise_sd`` gets an
    independent normal error with that standard deviation (in the indicator's own unit, e.g.
    percentage points); the indicators are standardised again (:func:`standardise`, no
    population weights), aggregated within ``dimensions`` if given (:func:`dimension_scores`),
    combined with the fixed ``weights`` (:func:`composite_index`) and ranked. With all standard
    deviations 0 every draw reproduces the baseline ranking.

    Parameters
    ----------
    table, directions
        Raw indicator values and directions, as in :func:`standardise`.
    weights, missing, min_share
        As in :func:`composite_index` (keys = keys of ``directions``).
    noise_sd : Mapping[str, float]
        Indicator -> standard deviation of the error (>= 0); other indicators are not perturbed.
    n_draws : int
        Number of draws (> 0).
    seed : int
        Seed for ``numpy.random.default_rng``.
    dimensions : Mapping[str, Iterable[str]], optional
        As in :func:`dimension_scores`.
    weighting : {"sum", "mean"}
        As in :func:`dimension_scores` (only with ``dimensions``).

    Returns
    -------
    ndarray, shape (n_areas, n_draws)
        Rank per area (rows in ``table`` order) and draw; NaN where an area has no index.
    """
    keys = list(directions)
    base_z = standardise(table, directions)  # validates table and directions
    if dimensions is None:
        scores, score_weights = base_z, dict(weights)
    else:
        scores, score_weights = dimension_scores(base_z, weights, dimensions, weighting=weighting)
    w = _validate_weights(score_weights, scores.columns)
    _validate_missing(missing, min_share)
    if isinstance(n_draws, bool) or not isinstance(n_draws, (int, np.integer)) or n_draws < 1:
        raise ParameterError(f"n_draws is {n_draws!r} but must be a positive integer")
    unknown = [k for k in noise_sd if k not in keys]
    if unknown:
        raise ParameterError(f"noise_sd names unknown indicator(s) {_quote(unknown)}; valid: {_quote(keys)}")
    sd = np.array([float(noise_sd.get(k, 0.0)) for k in keys])
    if not np.isfinite(sd).all() or (sd < 0).any():
        raise ParameterError("noise_sd must hold finite standard deviations >= 0")
    values = np.column_stack([_numeric_values(table, k, "table") for k in keys])
    signs = np.array([1.0 if directions[k] == "higher_is_barrier" else -1.0 for k in keys])
    rng = np.random.default_rng(seed)
    noisy = values[None, :, :] + rng.standard_normal((n_draws, *values.shape)) * sd[None, None, :]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Mean of empty slice", RuntimeWarning)
        mean = np.nanmean(noisy, axis=1, keepdims=True)
        spread = np.sqrt(np.nanmean((noisy - mean) ** 2, axis=1, keepdims=True))
        z = signs[None, None, :] * (noisy - mean) / spread  # (draws, areas, indicators)
        if dimensions is not None:
            position = {k: i for i, k in enumerate(keys)}
            z = np.stack(
                [np.nanmean(z[:, :, [position[m] for m in dimensions[name]
                                       if m in position and float(weights[m]) > 0]], axis=2)
                 for name in scores.columns],
                axis=2,
            )
    required = w > 0
    index = np.empty((len(table), n_draws))
    for draw in range(n_draws):
        index[:, draw] = _index_matrix(z[draw], w[None, :], required, missing=missing,
                                       min_share=float(min_share))[0][:, 0]
    return _rank_descending(index)
