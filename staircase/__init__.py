"""staircase: a case tracker for relative collaboration in care homes.

Built on Aarhus Municipality's samarbejdstrappe (PRODUCT.md). The library
holds the domain, the rules engine, the state machine, storage and exports;
it never prints. The command line lives in ``staircase.cli``.
"""

__version__ = "0.1.0"
