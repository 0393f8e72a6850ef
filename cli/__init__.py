"""The staircase command line: parse, call one library function, render.

Installed as ``staircase.cli``. Library modules are imported inside the
commands, so ``staircase --help`` and shell completion never load the
database layer (PRODUCT.md §8).
"""
