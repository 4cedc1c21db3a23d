"""decentraal.methods.diagnostics: correlation, principal components and rank agreement by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from decentraal.errors import ParameterError
from decentraal.methods.barriers import IndicatorError
from decentraal.methods.diagnostics import indicator_correlation, principal_components, rank_agreement, rank_summary


def test_pca_variance_share_of_a_constructed_matrix():
    # a and b are the same signal (r = 1), c is uncorrelated with it: the correlation matrix is
    # [[1, 1, 0], [1, 1, 0], [0, 0, 1]] with eigenvalues 2, 1, 0, so PC1 carries 2/3.
    x = np.array([-1.0, 0.0, 1.0, 2.0])
    z = pd.DataFrame({"a": x, "b": 3 * x + 1, "c": [1.0, -1.0, -1.0, 1.0]})
    pca = principal_components(z)
    assert pca.variance["eigenvalue"].to_numpy() == pytest.approx([2.0, 1.0, 0.0], abs=1e-12)
    assert pca.first_share == pytest.approx(2 / 3)
    assert pca.variance["cumulative"].iloc[-1] == pytest.approx(1.0)
    # Loadings are correlations with the component: a and b load 1 on PC1, c loads 0.
    assert pca.loadings["PC1"].to_numpy() == pytest.approx([1.0, 1.0, 0.0], abs=1e-12)
    assert abs(pca.loadings.loc["c", "PC2"]) == pytest.approx(1.0)
    assert (pca.n, pca.n_dropped) == (4, 0)


def test_pca_of_independent_columns_spreads_the_variance_evenly():
    # Orthogonal, centred columns of equal length: the correlation matrix is the identity.
    z = pd.DataFrame({"a": [1.0, -1.0, 1.0, -1.0], "b": [1.0, 1.0, -1.0, -1.0], "c": [1.0, -1.0, -1.0, 1.0]})
    assert principal_components(z).variance["share"].to_numpy() == pytest.approx([1 / 3] * 3)


def test_pca_matches_the_eigenvalues_of_the_correlation_matrix_and_drops_incomplete_rows():
    rng = np.random.default_rng(0)
    base = rng.normal(size=30)
    z = pd.DataFrame({"a": base + rng.normal(0, 0.3, 30), "b": base + rng.normal(0, 0.5, 30),
                      "c": rng.normal(size=30), "d": -base + rng.normal(0, 1, 30)})
    z.iloc[[3, 7], 1] = np.nan
    pca = principal_components(z)
    eig = np.sort(np.linalg.eigvalsh(z.dropna().corr().to_numpy()))[::-1]
    assert pca.variance["eigenvalue"].to_numpy() == pytest.approx(eig)
    assert (pca.n, pca.n_dropped) == (28, 2)
    assert pca.loadings["PC1"].sum() > 0


def test_pca_refuses_too_few_complete_rows_or_a_constant_column():
    with pytest.raises(IndicatorError, match="at least 3"):
        principal_components(pd.DataFrame({"a": [1.0, 2.0, np.nan], "b": [1.0, 3.0, 2.0]}))
    with pytest.raises(IndicatorError, match="constant"):
        principal_components(pd.DataFrame({"a": [1.0, 1.0, 1.0], "b": [1.0, 3.0, 2.0]}))


def test_correlation_is_pairwise_complete():
    z = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [2.0, 4.0, 6.0, np.nan], "c": [4.0, 3.0, 2.0, 1.0]})
    corr = indicator_correlation(z)
    assert corr.loc["a", "b"] == pytest.approx(1.0)
    assert corr.loc["a", "c"] == pytest.approx(-1.0)
    assert corr.attrs["n_pairs"] == 3
    assert np.allclose(corr.to_numpy(), corr.to_numpy().T)
    with pytest.raises(ParameterError):
        indicator_correlation(z, method="kendall")


def test_rank_agreement_by_hand():
    base = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    variants = np.column_stack([
        base,                                 # identical
        [2.0, 1.0, 3.0, 4.0, 5.0],           # first two swapped
        [5.0, 4.0, 3.0, 2.0, 1.0],           # reversed
    ])
    result = rank_agreement(base, variants, top_n=2)
    # Spearman: 1, 1 - 6 * 2 / (5 * 24) = 0.9, -1; median 0.9.
    assert result["spearman_median"] == pytest.approx(0.9)
    assert result["spearman_p05"] == pytest.approx(np.quantile([1.0, 0.9, -1.0], 0.05))
    # Top 2 {a, b} found back: 2/2, 2/2, 0/2.
    assert result["top_n_overlap"] == pytest.approx(2 / 3)
    assert result["same_first"] == pytest.approx(1 / 3)
    assert result["n_variants"] == 3


def test_rank_agreement_ignores_areas_without_a_rank():
    base = np.array([1.0, 2.0, np.nan, 3.0])
    single = rank_agreement(base, np.array([1.0, 3.0, 2.0, 2.0]), top_n=1)
    assert single["spearman_median"] == pytest.approx(0.5)  # ranks (1,2,3) vs (1,3,2)
    assert single["same_first"] == 1.0 and single["n_variants"] == 1


def test_rank_summary_by_hand():
    ranks = np.array([[1.0, 1.0, 2.0, 4.0], [2.0, 3.0, 1.0, np.nan]])
    summary = rank_summary(ranks, top_n=2)
    assert summary["p_top_n"].tolist() == [0.75, 0.5]
    assert summary["rank_median"].tolist() == [1.5, 2.0]
