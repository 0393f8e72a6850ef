"""The staircase command line: parse, call one library function, render.

Installed as ``staircase.cli``. Library modules are imported inside the
commands, so ``staircase --help`` and shell completion never load the
database layer (PRODUCT.md §8).
"""

import gc
import sys

YOUNG_OBJECTS = 50_000
"""Allocations between two young-generation collections (CPython's default: 700)."""


def main() -> None:
    """Console-script entry point: the language first, then the commands in it (§7.5).

    A command is one short process that makes few reference cycles but many
    objects (its modules, then an assess's hundred thousand rows); at the
    interpreter's default the collector ran thousands of times for nothing and
    took a sixth of an assess (issue 14). Collections are made rarer, not stopped.
    """
    gc.set_threshold(YOUNG_OBJECTS, 20, 20)
    from staircase.cli.language import speak_early

    speak_early(sys.argv[1:])
    from staircase.cli.app import app

    app()
