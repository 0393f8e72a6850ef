"""The staircase itself, pure: rule packs, the engine, the state machine, pack tests.

No database, no clock of its own, no I/O beyond reading a pack file.
"""
