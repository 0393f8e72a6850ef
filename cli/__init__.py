"""The staircase command line: parse, call one library function, render.

Installed as ``staircase.cli``. Library modules are imported inside the
commands, so ``staircase --help`` and shell completion never load the
database layer (PRODUCT.md §8).
"""

import sys


def main() -> None:
    """Console-script entry point: the language first, then the commands in it (§7.5)."""
    from staircase.cli.language import speak_early

    speak_early(sys.argv[1:])
    from staircase.cli.app import app

    app()
