"""The I/O layer: the only code that touches disk or network.

``registry`` (raw checksums), ``files`` (readers, atomic writers), ``loaders`` (typed raw
data), ``processed`` (the ``data/processed`` cache), ``userfiles`` (the municipality's visit and
candidate files), ``configs`` (run configs), ``outputs`` (what a run writes, with disclosure
control enforced), ``assets`` (packaged templates and vendored scripts) and ``fetch``
(CBS/PDOK downloads, geocoding). The most used functions are re-exported here.
"""

from decentraal.io.files import (
    atomic_path,
    code_version,
    read_csv_text,
    read_layer,
    read_processed_layer,
    read_raw_csv,
    read_raw_layer,
    read_table,
    source_fingerprint,
    write_bytes,
    write_excel,
    write_json,
    write_layers,
    write_sidecar,
    write_table,
    write_text,
)
from decentraal.io.registry import REFRESH_HINT, load_registry, raw_checksums, sha256_file, verified_raw_path

__all__ = [
    "REFRESH_HINT", "atomic_path", "code_version", "load_registry", "raw_checksums", "read_csv_text", "read_layer",
    "read_processed_layer", "read_raw_csv", "read_raw_layer", "read_table", "sha256_file", "source_fingerprint",
    "verified_raw_path", "write_bytes", "write_excel", "write_json", "write_layers", "write_sidecar", "write_table",
    "write_text",
]
