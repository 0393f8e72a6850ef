"""The installation's audit key (§6.8): a secret kept outside the database.

Whoever can write the database but cannot read this file cannot rewrite
the audit log unnoticed: every hash in the chain is an HMAC with it. It is
created by ``init``, readable by its owner only, next to a SQLite file as
``<database>.key``, or for a server database in the user's configuration
folder under a name derived from the URL (``STAIRCASE_KEY_DIR`` overrides
that folder). The file also records from which entry on the chain is
keyed, so deleting the database's own record of that does not turn the
check off.
"""

import hashlib
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from staircase.errors import DatabaseProblem
from staircase.i18n import _

_MAGIC = "staircase-audit-key 1"


@dataclass(frozen=True)
class AuditKey:
    """The secret and the id of the first audit entry it signs."""

    secret: bytes
    keyed_from: int
    path: Path


def key_path(url: str) -> Path:
    """Where the key of the database at ``url`` is kept."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return Path(parsed.database + ".key")
    folder = os.environ.get("STAIRCASE_KEY_DIR")
    if folder is None:
        from platformdirs import user_config_path

        folder = user_config_path("staircase", appauthor=False) / "keys"
    name = hashlib.sha256(parsed.render_as_string(hide_password=True).encode()).hexdigest()
    return Path(folder) / f"{name[:24]}.key"


def read_key(url: str) -> AuditKey | None:
    """The key of the database at ``url``, or None when there is none to read."""
    path = key_path(url)
    try:
        lines = path.read_text(encoding="ascii").split()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as err:
        raise DatabaseProblem(
            _("cannot read the audit key {path}: {err}").format(path=path, err=err)
        ) from None
    if len(lines) != 4 or " ".join(lines[:2]) != _MAGIC:
        raise DatabaseProblem(
            _("the audit key {path} is damaged; restore it from a backup").format(path=path)
        )
    return AuditKey(bytes.fromhex(lines[2]), int(lines[3]), path)


def create_key(url: str, *, keyed_from: int) -> AuditKey:
    """Create the key (mode 0600, never over an existing one, which is returned instead)."""
    existing = read_key(url)
    if existing is not None:
        return existing
    path = key_path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_bytes(32)
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(handle, "w", encoding="ascii") as file:
        file.write(f"{_MAGIC}\n{secret.hex()}\n{keyed_from}\n")
    return AuditKey(secret, keyed_from, path)


def missing_key(url: str) -> DatabaseProblem:
    return DatabaseProblem(
        _(
            "this database's audit log is keyed, but its key {key_path} is missing; "
            "restore the key file from the installation's backup (nothing was written)"
        ).format(key_path=key_path(url))
    )
