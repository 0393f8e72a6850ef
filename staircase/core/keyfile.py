"""Per-installation secrets kept outside the database, readable by their owner only.

A secret stored in the database would be exported, backed up and read by
everyone who can read the data; kept apart, someone holding a copy of the
data still cannot compute who a pseudonym stands for (§6.3). A SQLite
database keeps its secrets next to its file (``<db>.<name>``); a server
database keeps them in the user's config folder, named by a hash of the URL
so that several installations on one account never share a secret.
"""

import hashlib
import os
import secrets
import stat
from pathlib import Path

from sqlalchemy.engine import make_url

from staircase.errors import InvalidInput
from staircase.i18n import _

KEY_BYTES = 32
PSEUDONYM_KEY = "pseudonym-key"
"""The secret behind export pseudonyms (§6.3), created at ``init``."""


def key_path(url: str, name: str) -> Path:
    """Where the installation's secret ``name`` lives for the database at ``url``."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        database = Path(parsed.database)
        return database.with_name(f"{database.name}.{name}")
    from platformdirs import user_config_path

    digest = hashlib.sha256(parsed.render_as_string(hide_password=True).encode()).hexdigest()
    return user_config_path("staircase", appauthor=False) / f"{name}-{digest[:16]}"


def ensure_key(url: str, name: str) -> bytes:
    """The secret ``name`` of this installation, created (mode 0600) the first time."""
    path = key_path(url, name)
    if path.exists():
        return read_key(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    except FileExistsError:
        return read_key(path)
    with os.fdopen(fd, "w", encoding="ascii") as file:
        file.write(secrets.token_hex(KEY_BYTES) + "\n")
    return read_key(path)


def read_key(path: Path) -> bytes:
    """A key file's secret; a damaged file is an error, never silently a new secret
    (every pseudonym would change, and exports could no longer be compared)."""
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(
            _("{path} is damaged; restore it from the backup of the key").format(path=path)
        ) from None
