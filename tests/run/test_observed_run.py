"""Notebook 03 on observed visits: the SYNTHETIC fixture is labelled as such on the report page."""

from __future__ import annotations

from pathlib import Path

import pytest

from decentraal.io import configs as params
from decentraal.run import runner

pytestmark = pytest.mark.slow

FIXTURE = Path(__file__).parents[1] / "data" / "synthetic" / "bezoeken_SYNTHETISCH_haarlem_wijk.csv"


def test_observed_visits_run_labels_synthetic_data(tmp_path):
    p = params.load_config(Path("configs/haarlem.yaml").resolve(), [
        "vraagbron=waarnemingen", f"bezoeken_bestand={FIXTURE}", "glm_familie=poisson", "max_nieuwe_loketten=1", "naam=synthetisch"])
    result = runner.run(p, outputs=tmp_path, only=["03"], progress=lambda _: None)
    page = (result.run_dir / "report" / "03_vraag_en_loketten.html").read_text(encoding="utf-8")
    assert "SYNTHETISCHE (verzonnen) voorbeeldgegevens" in page
    assert "geschat poisson-model" in page
    assert "Overdispersietoets" in page
