"""``python -m staircase.cli``: the same command as the ``staircase`` script."""

from staircase.cli import main

main()
