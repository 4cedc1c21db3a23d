"""Every supported level runs: buurt and gemeente (one area) for the analysis notebooks, and K = 0."""

from __future__ import annotations

from pathlib import Path

import pytest

from decentraal.io import configs as params
from decentraal.run import runner

pytestmark = pytest.mark.slow

SMALL = Path(__file__).parents[1] / "data" / "configs" / "small.yaml"


@pytest.mark.parametrize("overrides", [["niveau=buurt"], ["niveau=gemeente", "max_nieuwe_loketten=0"]])
def test_analysis_notebooks_run_at_level(tmp_path, overrides):
    p = params.load_config(SMALL, overrides)
    result = runner.run(p, outputs=tmp_path, only=["02", "03"], progress=lambda _: None)
    assert result.manifest["status"] == "ok"
    assert (result.run_dir / "report" / "02_belemmeringen_in_kaart.html").stat().st_size > 50_000
