"""A count model for observed visits: Poisson or negative-binomial GLM with a population offset.

Pure functions, no I/O. Errors are :class:`decentraal.errors.DataError` (bad data),
:class:`decentraal.errors.ParameterError` (bad arguments) or :class:`ModelFitError`.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from decentraal.errors import DataError, DecentraalError, ParameterError

#: Below this NB2 alpha there is no overdispersion to model; Poisson is used instead.
MIN_ALPHA = 1e-6

__all__ = ["ModelFitError", "VisitModel", "fit_visit_glm", "overdispersion_test"]


class ModelFitError(DecentraalError, ValueError):
    """A count model did not converge or cannot be fitted on the data given."""


# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class VisitModel:
    """A fitted visit-count model with a log-exposure offset.

    ``log E[count] = log(exposure) + const + sum_k b_k x_k``; with exposure in resident-years
    ``exp(const + x'b)`` is the visit rate per resident per year.

    Attributes
    ----------
    family : {"poisson", "negbin"}
        Family fitted. "negbin" is NB2 (Var = mu + alpha mu^2) with alpha estimated by
        maximum likelihood (``statsmodels.discrete.NegativeBinomial``).
    count, exposure : str
        Column names used.
    covariates : tuple of str
        Covariate names (the intercept is ``"const"``).
    params, bse : pd.Series
        Coefficients and standard errors on the log scale, index ``["const", *covariates]``
        (alpha is NOT included; see ``alpha``).
    conf_int : pd.DataFrame
        95 % Wald intervals, columns ``["lower", "upper"]``.
    aic : float
        Akaike information criterion (for "negbin" alpha counts as a parameter).
    deviance, pearson_chi2 : float
        Of the fitted family (for "negbin" evaluated at the estimated alpha).
    df_resid : float
        Residual degrees of freedom (n - number of coefficients).
    dispersion : float
        ``pearson_chi2 / df_resid`` of this model; ~1 if the family fits the variance.
    poisson_dispersion : float
        Pearson dispersion of the Poisson fit on the same data; > 1 means overdispersion
        relative to Poisson (reported for both families).
    alpha, alpha_se : float or None
        NB2 dispersion parameter and its standard error ("negbin" only).
    nobs : int
        Number of observations.
    observed, fitted, fitted_poisson : np.ndarray
        Counts, fitted means of this model and of the Poisson fit (used by
        :func:`overdispersion_test`).
    """

    family: Literal["poisson", "negbin"]
    count: str
    exposure: str
    covariates: tuple[str, ...]
    params: pd.Series
    bse: pd.Series
    conf_int: pd.DataFrame
    aic: float
    deviance: float
    pearson_chi2: float
    df_resid: float
    dispersion: float
    poisson_dispersion: float
    alpha: float | None
    alpha_se: float | None
    nobs: int
    observed: np.ndarray = field(repr=False)
    fitted: np.ndarray = field(repr=False)
    fitted_poisson: np.ndarray = field(repr=False)
    #: Why the family fitted differs from the one asked for ("" when it does not).
    fallback: str = ""

    def summary_table(self) -> pd.DataFrame:
        """Coefficient table.

        Returns
        -------
        pd.DataFrame
            Index = term; columns ``coef``, ``se``, ``z``, ``p_value``, ``ci_lower``,
            ``ci_upper`` (log scale) and ``rate_ratio``, ``rr_ci_lower``, ``rr_ci_upper``
            (exponentiated: multiplicative effect of +1 unit of the covariate on the rate).
        """
        z = self.params / self.bse
        p = 2 * stats.norm.sf(np.abs(z))
        return pd.DataFrame(
            {
                "coef": self.params,
                "se": self.bse,
                "z": z,
                "p_value": p,
                "ci_lower": self.conf_int["lower"],
                "ci_upper": self.conf_int["upper"],
                "rate_ratio": np.exp(self.params),
                "rr_ci_lower": np.exp(self.conf_int["lower"]),
                "rr_ci_upper": np.exp(self.conf_int["upper"]),
            }
        )

    def predict_rate(self, covariate_frame: pd.DataFrame) -> pd.Series:
        """Predicted visits per resident per year (exposure = 1 resident-year).

        Parameters
        ----------
        covariate_frame : pd.DataFrame
            Must contain every column in ``covariates``; other columns are ignored.

        Returns
        -------
        pd.Series
            Rate per row, same index as ``covariate_frame``, name ``"bezoeken_per_inwoner"``.

        Raises
        ------
        DataError
            If a covariate column is missing or has missing values.
        """
        missing = [c for c in self.covariates if c not in covariate_frame.columns]
        if missing:
            raise DataError(
                f"covariate_frame lacks column(s) {missing} used in the model; add them (same names and units)."
            )
        X = covariate_frame[list(self.covariates)].astype(float)
        if X.isna().any().any():
            raise DataError("covariate_frame has missing covariate values; impute or drop those rows first.")
        eta = self.params["const"] + X.to_numpy() @ self.params[list(self.covariates)].to_numpy()
        return pd.Series(np.exp(eta), index=covariate_frame.index, name="bezoeken_per_inwoner")


def _design(df: pd.DataFrame, count: str, exposure: str, covariates: Sequence[str]) -> tuple[np.ndarray, pd.DataFrame, np.ndarray]:
    cols = [count, exposure, *covariates]
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise DataError(f"model data lacks column(s) {missing}; found {list(df.columns)}.")
    if "const" in covariates:
        raise ParameterError("a covariate is named 'const'; rename it, the intercept uses that name.")
    if len(set(covariates)) != len(covariates):
        raise ParameterError(f"covariates repeat: {list(covariates)}; list each once.")
    sub = df[cols].apply(pd.to_numeric, errors="coerce")
    bad = sub.isna().any(axis=1)
    if bad.any():
        raise DataError(
            f"{int(bad.sum())} row(s) have missing or non-numeric values in {cols} "
            f"(first index labels: {list(sub.index[bad][:10])}); drop or fill them before fitting."
        )
    y = sub[count].to_numpy(dtype=float)
    if np.any(y < 0) or np.any(y != np.round(y)):
        raise DataError(f"column {count!r} must hold non-negative whole counts.")
    expo = sub[exposure].to_numpy(dtype=float)
    if np.any(expo <= 0):
        raise DataError(
            f"column {exposure!r} has values <= 0; exposure (resident-years) must be positive. "
            "Drop areas without residents."
        )
    # statsmodels is imported where it is used: ~0.3 s per kernel otherwise
    from statsmodels.tools.tools import add_constant

    X = add_constant(sub[list(covariates)].astype(float), has_constant="add")
    X = X[["const", *covariates]]
    if len(y) <= X.shape[1]:
        raise DataError(f"{len(y)} rows for {X.shape[1]} coefficients; need more observations than coefficients.")
    if np.linalg.matrix_rank(X.to_numpy()) < X.shape[1]:
        raise DataError(f"covariates {list(covariates)} are collinear (or constant); drop redundant ones.")
    return y, X, expo


def fit_visit_glm(
    df: pd.DataFrame,
    *,
    count: str,
    exposure: str,
    covariates: Sequence[str],
    family: Literal["poisson", "negbin"] = "poisson",
) -> VisitModel:
    """Fit a Poisson or negative-binomial (NB2) count model with ``log(exposure)`` offset.

    Parameters
    ----------
    df : pd.DataFrame
        One row per observation (area, or area-year).
    count : str
        Column with observed visits.
    exposure : str
        Column with resident-years at risk (residents x years covered by the count), > 0.
    covariates : sequence of str
        Numeric covariate columns; an intercept ``"const"`` is always added.
    family : {"poisson", "negbin"}, default "poisson"
        "poisson": ``statsmodels`` GLM, Poisson family, log link.
        "negbin": ``statsmodels.discrete.NegativeBinomial`` (NB2, alpha by ML, started from
        the Poisson estimates, Newton); deviance and Pearson chi2 come from a GLM with the
        NB family at the estimated alpha.

    Returns
    -------
    VisitModel

    Raises
    ------
    DataError
        Missing columns, non-numeric/missing values, negative counts, exposure <= 0,
        collinear covariates, too few rows.
    ParameterError
        Unknown family.
    ModelFitError
        If the negative-binomial likelihood does not converge.
    """
    if family not in ("poisson", "negbin"):
        raise ParameterError(f"family={family!r}; use 'poisson' or 'negbin'.")
    covariates = tuple(covariates)
    y, X, expo = _design(df, count, exposure, covariates)
    offset = np.log(expo)

    from statsmodels.discrete.discrete_model import NegativeBinomial
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    pois = GLM(y, X, family=families.Poisson(), offset=offset).fit()
    mu_pois = np.asarray(pois.fittedvalues, dtype=float)
    pois_disp = float(pois.pearson_chi2 / pois.df_resid)

    if family == "poisson":
        ci = pois.conf_int()
        ci.columns = ["lower", "upper"]
        return VisitModel(
            family="poisson",
            count=count,
            exposure=exposure,
            covariates=covariates,
            params=pd.Series(pois.params, index=X.columns),
            bse=pd.Series(pois.bse, index=X.columns),
            conf_int=ci,
            aic=float(pois.aic),
            deviance=float(pois.deviance),
            pearson_chi2=float(pois.pearson_chi2),
            df_resid=float(pois.df_resid),
            dispersion=pois_disp,
            poisson_dispersion=pois_disp,
            alpha=None,
            alpha_se=None,
            nobs=int(pois.nobs),
            observed=y,
            fitted=mu_pois,
            fitted_poisson=mu_pois,
        )

    # NB2 by maximum likelihood, alpha included; start at Poisson estimates and a
    # moment-based alpha (Cameron-Trivedi slope) for a stable Newton start. Without
    # overdispersion alpha runs to 0 and statsmodels fails on log(0) ("first guess on the
    # deviance returned a nan"): then the Poisson model is the right one, and it is returned
    # with the reason in ``fallback``.
    aux = ((y - mu_pois) ** 2 - y) / mu_pois
    alpha0 = max(float(np.sum(aux * mu_pois) / np.sum(mu_pois**2)), 1e-3)
    nb = NegativeBinomial(y, X, loglike_method="nb2", exposure=expo)
    start = np.append(np.asarray(pois.params), alpha0)
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = nb.fit(start_params=start, method="newton", maxiter=200, disp=0)
            if not res.mle_retvals.get("converged", False) or not np.all(np.isfinite(res.params)):
                res = nb.fit(start_params=start, method="bfgs", maxiter=2000, disp=0)
    except (ValueError, np.linalg.LinAlgError) as exc:
        return _poisson_fallback(fit_visit_glm(df, count=count, exposure=exposure, covariates=covariates, family="poisson"),
                                 f"negative binomial could not be fitted ({exc}); Poisson used")
    alpha_hat = float(np.asarray(res.params)[-1])
    if not res.mle_retvals.get("converged", False) or not np.all(np.isfinite(res.params)) or alpha_hat < MIN_ALPHA:
        reason = (f"no overdispersion (alpha {alpha_hat:.2g} < {MIN_ALPHA:g})" if np.isfinite(alpha_hat) and alpha_hat < MIN_ALPHA
                  else "negative binomial did not converge")
        return _poisson_fallback(fit_visit_glm(df, count=count, exposure=exposure, covariates=covariates, family="poisson"),
                                 f"{reason}; Poisson used (Pearson dispersion {pois_disp:.2f})")
    try:
        glm_nb = GLM(y, X, family=families.NegativeBinomial(alpha=alpha_hat), offset=offset).fit(
            start_params=np.asarray(res.params)[:-1]
        )
    except ValueError as exc:
        return _poisson_fallback(fit_visit_glm(df, count=count, exposure=exposure, covariates=covariates, family="poisson"),
                                 f"negative binomial deviance could not be evaluated ({exc}); Poisson used")
    names = list(X.columns)
    params_all = pd.Series(np.asarray(res.params), index=[*names, "alpha"])
    bse_all = pd.Series(np.asarray(res.bse), index=[*names, "alpha"])
    alpha = float(params_all["alpha"])
    ci_all = pd.DataFrame(np.asarray(res.conf_int()), index=[*names, "alpha"], columns=["lower", "upper"])
    return VisitModel(
        family="negbin",
        count=count,
        exposure=exposure,
        covariates=covariates,
        params=params_all[names],
        bse=bse_all[names],
        conf_int=ci_all.loc[names],
        aic=float(res.aic),
        deviance=float(glm_nb.deviance),
        pearson_chi2=float(glm_nb.pearson_chi2),
        df_resid=float(glm_nb.df_resid),
        dispersion=float(glm_nb.pearson_chi2 / glm_nb.df_resid),
        poisson_dispersion=pois_disp,
        alpha=alpha,
        alpha_se=float(bse_all["alpha"]),
        nobs=int(len(y)),
        observed=y,
        fitted=np.asarray(res.predict(), dtype=float),
        fitted_poisson=mu_pois,
    )


def _poisson_fallback(model: VisitModel, reason: str) -> VisitModel:
    return dataclasses.replace(model, fallback=reason)


def overdispersion_test(model: VisitModel) -> dict[str, float | bool | str]:
    """Test for overdispersion relative to Poisson (Cameron & Trivedi 1990, NB2 form).

    Auxiliary OLS without intercept on the **Poisson** fitted means ``mu`` (whatever family
    ``model`` has): ``((y - mu)^2 - y) / mu = alpha * mu + e``. H0: alpha = 0 (equidispersion),
    H1: alpha > 0; one-sided t-test. The Pearson dispersion ratio of the Poisson fit is
    reported next to it.

    Parameters
    ----------
    model : VisitModel
        Output of :func:`fit_visit_glm`.

    Returns
    -------
    dict
        ``method`` (str), ``alpha_aux`` (OLS slope), ``t_stat``, ``p_value`` (one-sided),
        ``pearson_dispersion`` (Poisson Pearson chi2 / df_resid), ``model_dispersion``
        (Pearson ratio of ``model`` itself), ``overdispersed`` (p_value < 0.05).
    """
    y = model.observed
    mu = model.fitted_poisson
    z = ((y - mu) ** 2 - y) / mu
    from statsmodels.regression.linear_model import OLS

    aux = OLS(z, mu).fit()
    t = float(aux.tvalues[0])
    p = float(stats.t.sf(t, df=aux.df_resid))
    return {
        "method": "Cameron-Trivedi auxiliary regression (NB2: ((y-mu)^2-y)/mu = alpha*mu), one-sided t-test on Poisson fit",
        "alpha_aux": float(aux.params[0]),
        "t_stat": t,
        "p_value": p,
        "pearson_dispersion": float(model.poisson_dispersion),
        "model_dispersion": float(model.dispersion),
        "overdispersed": bool(p < 0.05),
    }


