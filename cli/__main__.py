"""``python -m staircase.cli``: the same command as the ``staircase`` script."""

from staircase.cli.app import main

main()
