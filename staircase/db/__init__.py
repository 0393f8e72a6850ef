"""Storage: the tables, sessions and migrations (PRODUCT.md §5).

``import staircase.db`` is the floor that ``staircase log`` is measured
against (§8): what a command needs beyond it must stay small.
"""

from staircase.db import models
from staircase.db.store import database_url, session_scope

__all__ = ["database_url", "models", "session_scope"]
