"""What every command stands on: the unit of work, identity, permissions, the
audit chain, notification and the shared look-ups.
"""
