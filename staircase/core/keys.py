"""The installation's secrets (§6.3, §6.8): key files kept outside the database.

A secret stored in the database would be exported, backed up and read by
everyone who can read the data. Kept apart, someone holding a copy of the
data still cannot compute whom a pseudonym stands for, and someone who can
write the database but cannot read the audit key cannot rewrite the log
unnoticed (every hash in the chain is an HMAC with it).

Every key is one small file, created once (never over an existing one),
readable by its owner only: next to a SQLite file as ``<database>.<suffix>``,
or for a server database in the user's configuration folder
(``STAIRCASE_KEY_DIR`` overrides it) under a name derived from the URL, so
that several installations on one account never share a secret. A damaged
file is an error, never silently a new secret: every pseudonym would change
and the log could no longer be checked.
"""

import hashlib
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from staircase.errors import DatabaseProblem
from staircase.i18n import _

AUDIT_KEY = "key"
"""The suffix of the audit key: its secret, and the id of the first entry it signs."""
PSEUDONYM_KEY = "pseudonym-key"
"""The suffix of the secret behind export pseudonyms (§6.3)."""

_SECRET_BYTES = 32
_AUDIT_MAGIC = "staircase-audit-key 1"


def key_path(url: str, suffix: str) -> Path:
    """Where the key ``suffix`` of the database at ``url`` is kept."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return Path(f"{parsed.database}.{suffix}")
    folder = os.environ.get("STAIRCASE_KEY_DIR")
    if folder is None:
        from platformdirs import user_config_path

        folder = str(user_config_path("staircase", appauthor=False) / "keys")
    # Each person connects as their own role (§6.8): the key is the database's,
    # whoever connects, so the name leaves the user and password out.
    anyone = URL.create(
        parsed.drivername, host=parsed.host, port=parsed.port, database=parsed.database
    ).update_query_dict(dict(parsed.query))
    name = hashlib.sha256(anyone.render_as_string().encode()).hexdigest()
    return Path(folder) / f"{name[:24]}.{suffix}"


def _read(url: str, suffix: str) -> list[str] | None:
    """The words of a key file, or None when there is none."""
    path = key_path(url, suffix)
    try:
        return path.read_text(encoding="ascii").split()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as err:
        raise DatabaseProblem(
            _("cannot read the key file {path}: {err}").format(path=path, err=err)
        ) from None


def _create(url: str, suffix: str, words: list[str]) -> bool:
    """Write a new key file (mode 0600); False when one exists already (it is kept)."""
    path = key_path(url, suffix)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    except FileExistsError:
        return False
    with os.fdopen(handle, "w", encoding="ascii") as file:
        file.write("\n".join(words) + "\n")
    return True


def _damaged(url: str, suffix: str) -> DatabaseProblem:
    return DatabaseProblem(
        _("the key file {path} is damaged; restore it from the backup of the key").format(
            path=key_path(url, suffix)
        )
    )


@dataclass(frozen=True)
class AuditKey:
    """The audit secret and the id of the first audit entry it signs.

    The file records from which entry on the chain is keyed, so deleting the
    database's own record of that does not turn the check off.
    """

    secret: bytes
    keyed_from: int


def read_audit_key(url: str) -> AuditKey | None:
    """The audit key of the database at ``url``, or None when there is none to read."""
    words = _read(url, AUDIT_KEY)
    if words is None:
        return None
    if len(words) != 4 or " ".join(words[:2]) != _AUDIT_MAGIC:
        raise _damaged(url, AUDIT_KEY)
    try:
        return AuditKey(bytes.fromhex(words[2]), int(words[3]))
    except ValueError:
        raise _damaged(url, AUDIT_KEY) from None


def create_audit_key(url: str, *, keyed_from: int) -> AuditKey:
    """Create the audit key (``init``); an existing one is kept and returned."""
    secret = secrets.token_bytes(_SECRET_BYTES)
    _create(url, AUDIT_KEY, [_AUDIT_MAGIC, secret.hex(), str(keyed_from)])
    key = read_audit_key(url)
    assert key is not None, "the audit key was just written"
    return key


def missing_audit_key(url: str) -> DatabaseProblem:
    moved = _moved(url, AUDIT_KEY)
    if moved is not None:
        return moved
    return DatabaseProblem(
        _(
            "this database's audit log is keyed, but its key {path} is missing; restore the "
            "key file from the installation's backup (nothing was written)"
        ).format(path=key_path(url, AUDIT_KEY))
    )


def pseudonym_key(url: str) -> bytes:
    """The pseudonym secret, created the first time (``init``, or the first export of
    an installation older than pseudonyms)."""
    if not key_path(url, PSEUDONYM_KEY).exists() and (moved := _moved(url, PSEUDONYM_KEY)):
        raise moved
    _create(url, PSEUDONYM_KEY, [secrets.token_hex(_SECRET_BYTES)])
    try:
        [secret] = _read(url, PSEUDONYM_KEY) or []
        return bytes.fromhex(secret)
    except ValueError:
        raise _damaged(url, PSEUDONYM_KEY) from None


def _old_place(url: str, suffix: str) -> Path | None:
    """Where a server database's key was kept before every role found the same one
    (the name hashed the user too, and the pseudonym key had a name of its own), if
    a key is still there: it must be moved, never replaced by a new secret."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return None
    name = hashlib.sha256(parsed.render_as_string(hide_password=True).encode()).hexdigest()
    if suffix == AUDIT_KEY:
        old = key_path(url, suffix).with_name(f"{name[:24]}.{AUDIT_KEY}")
    else:
        from platformdirs import user_config_path

        old = user_config_path("staircase", appauthor=False) / f"pseudonym-key-{name[:16]}"
    return old if old.exists() and old != key_path(url, suffix) else None


def _moved(url: str, suffix: str) -> DatabaseProblem | None:
    old = _old_place(url, suffix)
    if old is None:
        return None
    return DatabaseProblem(
        _("the key is at its old place {old}; move it to {path} (nothing was written)").format(
            old=old, path=key_path(url, suffix)
        )
    )
