"""decentraal: barrier mapping and demand estimation for neighbourhood service counters.

Every computation lives in this package as plain functions, one module per method step;
the notebooks in ``notebooks/`` only call them and show the results.
"""

__version__ = "0.1.0"
