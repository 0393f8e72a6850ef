"""Setting the installation's settings (admin): the controller named in the
subject-access letter (§6.4) and the retention period (§6.6)."""

from staircase.core.settings import MAX_RETENTION_DAYS, PUBLIC, RETENTION_DAYS, read_settings
from staircase.core.work import Request, transaction
from staircase.cpr import refuse_cpr
from staircase.db.models import Setting
from staircase.errors import InvalidInput
from staircase.i18n import _

_MAX_VALUE = 500
"""A controller's name and address fit easily; more is a paste gone wrong."""


def set_setting(request: Request, *, key: str, value: str) -> dict[str, str]:
    """Set one public setting (an empty value removes it); returns them all. Audited."""
    if key not in PUBLIC:
        raise InvalidInput(
            _('unknown setting "{key}" (settings: {join})').format(key=key, join=", ".join(PUBLIC))
        )
    value = value.strip()
    refuse_cpr(value, field=_("the setting {key}").format(key=key))
    if len(value) > _MAX_VALUE:
        raise InvalidInput(
            _("the setting {key} is longer than {MAX_VALUE} characters").format(
                key=key, MAX_VALUE=_MAX_VALUE
            )
        )
    if (
        key == RETENTION_DAYS
        and value
        and not (value.isascii() and value.isdigit() and 1 <= int(value) <= MAX_RETENTION_DAYS)
    ):
        raise InvalidInput(
            _("{key} is a number of days from 1 to {MAX_RETENTION_DAYS}").format(
                key=key, MAX_RETENTION_DAYS=MAX_RETENTION_DAYS
            )
        )
    with transaction(request, "settings.set") as work:
        row = work.session.get(Setting, key)
        if not value:
            if row is not None:
                work.session.delete(row)
        elif row is None:
            work.session.add(Setting(key=key, value=value))
        else:
            row.value = value
        work.audit("settings.set", subject=key, detail=value or None)
        work.session.flush()
        return read_settings(work.session)


def show_settings(request: Request) -> dict[str, str]:
    """The public settings that are set."""
    with transaction(request, "settings.show", write=False) as work:
        return read_settings(work.session)
