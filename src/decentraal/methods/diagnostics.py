"""Diagnostics of a composite index: do the indicators overlap, and how firm is the ranking?

* :func:`indicator_correlation` and :func:`principal_components` show whether several
  indicators measure one underlying dimension (then that dimension counts several times in
  an equal-weight index);
* :func:`rank_summary` and :func:`rank_agreement` summarise rankings obtained under other
  choices (weights, data, normalisation, aggregation) against the baseline ranking.

Pure functions on in-memory tables; no randomness (the draws are made by
:mod:`decentraal.methods.barriers`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from decentraal.errors import ParameterError
from decentraal.methods.barriers import IndicatorError

__all__ = ["PCA", "indicator_correlation", "principal_components", "rank_agreement", "rank_summary"]


def _numeric_frame(z: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(z, pd.DataFrame):
        raise IndicatorError(f"z must be a pandas DataFrame, got {type(z).__name__}")
    if z.shape[1] < 2:
        raise IndicatorError(f"z has {z.shape[1]} indicator column(s); a correlation needs at least two")
    bad = [c for c in z.columns if not pd.api.types.is_numeric_dtype(z[c]) or pd.api.types.is_bool_dtype(z[c])]
    if bad:
        raise IndicatorError(f"column(s) {', '.join(map(str, bad))} of z are not numeric")
    return z.astype(float)


def indicator_correlation(z: pd.DataFrame, *, method: str = "pearson") -> pd.DataFrame:
    """Correlation matrix of the indicators over the areas (pairwise complete observations).

    Use the direction-corrected scores (:func:`decentraal.methods.barriers.standardise`), so a
    positive correlation means two indicators point to barriers in the same areas.

    Parameters
    ----------
    z : DataFrame
        Areas in rows, indicators in columns (at least two); NaN allowed.
    method : {"pearson", "spearman"}
        Correlation coefficient.

    Returns
    -------
    DataFrame
        Square, indicators in ``z`` column order. ``attrs["n_pairs"]`` is the smallest number
        of areas a coefficient is based on.
    """
    if method not in ("pearson", "spearman"):
        raise ParameterError(f"method is {method!r} but must be 'pearson' or 'spearman'")
    frame = _numeric_frame(z)
    result = frame.corr(method=method, min_periods=3)
    present = frame.notna().to_numpy(dtype=float)
    result.attrs = {"method": method, "n_pairs": int((present.T @ present).min()), "n_areas": len(frame)}
    return result


@dataclass(frozen=True)
class PCA:
    """Principal components of standardised indicators.

    Attributes
    ----------
    variance
        One row per component (``PC1``, ``PC2``, ...): ``eigenvalue``, ``share`` (of the total
        variance, i.e. of the number of indicators) and ``cumulative``.
    loadings
        Indicators in rows, components in columns: the correlation of each indicator with each
        component. PC1 is oriented so that its loadings sum to a positive number.
    n
        Areas used (those with every indicator).
    n_dropped
        Areas left out because an indicator is missing.
    """

    variance: pd.DataFrame
    loadings: pd.DataFrame
    n: int
    n_dropped: int

    @property
    def first_share(self) -> float:
        """Share of the total variance on the first component."""
        return float(self.variance["share"].iloc[0])


def principal_components(z: pd.DataFrame) -> PCA:
    """PCA of the correlation matrix of the indicators, by singular value decomposition.

    The areas with every indicator are kept; each column is centred and scaled to standard
    deviation 1 (``ddof=0``) over those areas, so every indicator has variance 1 and the
    eigenvalues sum to the number of indicators. With ``X = U S V'`` the eigenvalues are
    ``S**2 / n``, the shares ``eigenvalue / k``, and the loadings ``V * S / sqrt(n)``.

    A first component with a large share (say above half) means that the indicators mostly
    move together: an equal-weight index then largely counts one dimension several times.

    Raises
    ------
    IndicatorError
        Fewer than two indicators, fewer than three complete areas, or a constant indicator.

    Examples
    --------
    >>> x = np.array([-1.0, 0.0, 1.0, 2.0])
    >>> p = principal_components(pd.DataFrame({"a": x, "b": 2 * x, "c": [1.0, -1.0, -1.0, 1.0]}))
    >>> round(p.first_share, 6)
    0.666667
    """
    frame = _numeric_frame(z)
    complete = frame.dropna()
    n, k = complete.shape
    if n < 3:
        raise IndicatorError(f"only {n} area(s) have every indicator; principal components need at least 3")
    x = complete.to_numpy()
    sd = x.std(axis=0)
    constant = [c for c, s in zip(complete.columns, sd, strict=True) if s <= 1e-12]
    if constant:
        raise IndicatorError(f"indicator(s) {', '.join(map(str, constant))} are constant over the complete areas")
    x = (x - x.mean(axis=0)) / sd
    _, s, vt = np.linalg.svd(x, full_matrices=False)
    eigen = s**2 / n
    loadings = vt.T * (s / np.sqrt(n))
    if loadings[:, 0].sum() < 0:
        loadings[:, 0] *= -1
    names = [f"PC{i}" for i in range(1, len(eigen) + 1)]
    share = eigen / k
    variance = pd.DataFrame({"eigenvalue": eigen, "share": share, "cumulative": np.cumsum(share)},
                            index=pd.Index(names, name="component"))
    return PCA(variance, pd.DataFrame(loadings, index=complete.columns.copy(), columns=names), n, len(frame) - n)


def _check_ranks(ranks: np.ndarray) -> np.ndarray:
    ranks = np.asarray(ranks, dtype=float)
    if ranks.ndim == 1:
        ranks = ranks[:, None]
    if ranks.ndim != 2 or ranks.shape[1] == 0:
        raise ParameterError("ranks must be a matrix (areas x variants) with at least one variant")
    return ranks


def _check_top_n(top_n: int) -> None:
    if isinstance(top_n, bool) or not isinstance(top_n, (int, np.integer)) or top_n < 1:
        raise ParameterError(f"top_n is {top_n!r} but must be a positive integer")


def rank_summary(ranks: np.ndarray, *, top_n: int = 3) -> pd.DataFrame:
    """Per area: how often in the top ``top_n``, and the spread of its rank over the variants.

    Parameters
    ----------
    ranks : ndarray, shape (n_areas, n_variants)
        Rank per area and variant (1 = highest barrier), NaN where an area has no index.
    top_n : int
        Top size.

    Returns
    -------
    DataFrame
        Positional index, columns ``p_top_n`` (share of variants with rank <= ``top_n``, a
        variant without index counting as "not top"), ``rank_median``, ``rank_p05`` and
        ``rank_p95`` (over the variants where the area has a rank, linear interpolation).
    """
    _check_top_n(top_n)
    ranks = _check_ranks(ranks)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "All-NaN slice encountered", RuntimeWarning)
        median, p05, p95 = np.nanquantile(ranks, [0.5, 0.05, 0.95], axis=1)
    top = (~np.isnan(ranks) & (ranks <= top_n)).mean(axis=1)
    return pd.DataFrame({"p_top_n": top, "rank_median": median, "rank_p05": p05, "rank_p95": p95})


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    both = ~np.isnan(a) & ~np.isnan(b)
    if both.sum() < 3:
        return float("nan")
    ra, rb = rankdata(a[both]), rankdata(b[both])
    if np.ptp(ra) == 0 or np.ptp(rb) == 0:
        return float("nan")
    return float(np.corrcoef(ra, rb)[0, 1])


def _spearman_columns(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """:func:`_spearman` of ``a`` with every column of ``b``, vectorised over the columns with the same missing areas.

    Bit for bit what ``np.corrcoef`` gives per column: centred ranks are multiples of 0.5, so the dot
    products are exact whatever their order, and the scaling follows ``np.cov``/``np.corrcoef`` step by step.
    """
    out = np.full(b.shape[1], np.nan)
    both = ~np.isnan(a)[:, None] & ~np.isnan(b)
    masks, group = np.unique(both.T, axis=0, return_inverse=True)
    for g, mask in enumerate(masks):
        cols = np.flatnonzero(group.ravel() == g)
        n = int(mask.sum())
        if n < 3:
            continue
        ra = rankdata(a[mask])
        rb = rankdata(b[mask][:, cols], axis=0)
        xa, xb = ra - ra.mean(), rb - rb.mean(axis=0)
        scale = np.true_divide(1, n - 1)
        with np.errstate(invalid="ignore", divide="ignore"):  # constant ranks: NaN below
            rho = (xa @ xb * scale) / np.sqrt(xa @ xa * scale) / np.sqrt(np.einsum("ij,ij->j", xb, xb) * scale)
        rho = np.clip(rho, -1, 1)
        rho[(np.ptp(ra) == 0) | (np.ptp(rb, axis=0) == 0)] = np.nan
        out[cols] = rho
    return out


def rank_agreement(baseline: np.ndarray, ranks: np.ndarray, *, top_n: int = 3) -> dict[str, float]:
    """How far rankings under other choices agree with the baseline ranking.

    Per variant: Spearman's rank correlation with the baseline (over the areas ranked in
    both), the share of the baseline's top ``top_n`` (areas with rank <= ``top_n``) that is
    also in the variant's top ``top_n``, and whether the area ranked first is the same.

    Parameters
    ----------
    baseline : ndarray, shape (n_areas,)
        Baseline rank per area (NaN where no index).
    ranks : ndarray, shape (n_areas,) or (n_areas, n_variants)
        Rank per area under each variant (one comparison, or many draws).
    top_n : int
        Top size.

    Returns
    -------
    dict
        ``n_variants``; ``spearman_median`` and ``spearman_p05`` (median and 5th percentile
        over the variants; equal for one variant); ``top_n_overlap`` (mean share of the
        baseline top found back); ``same_first`` (share of variants with the same first area).

    Examples
    --------
    >>> rank_agreement(np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 1.0, 3.0, 4.0]), top_n=1)["top_n_overlap"]
    0.0
    """
    _check_top_n(top_n)
    ranks = _check_ranks(ranks)
    base = np.asarray(baseline, dtype=float).ravel()
    if base.shape[0] != ranks.shape[0]:
        raise ParameterError(f"baseline has {base.shape[0]} areas but ranks has {ranks.shape[0]}")
    top = ~np.isnan(base) & (base <= top_n)
    first = ~np.isnan(base) & (base == 1)
    rho = _spearman_columns(base, ranks)  # = [_spearman(base, ranks[:, j]) for each j], without a Python loop
    in_top = ~np.isnan(ranks) & (ranks <= top_n)
    overlap = in_top[top].sum(axis=0) / max(int(top.sum()), 1)
    same = (~np.isnan(ranks[first]) & (ranks[first] == 1)).all(axis=0) if first.any() else np.zeros(ranks.shape[1])
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "All-NaN slice encountered", RuntimeWarning)
        return {
            "n_variants": int(ranks.shape[1]),
            "spearman_median": float(np.nanmedian(rho)),
            "spearman_p05": float(np.nanquantile(rho, 0.05)),
            "top_n_overlap": float(overlap.mean()),
            "same_first": float(np.mean(same)),
        }
