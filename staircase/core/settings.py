"""The installation's own settings that people set (§6.4, §6.6), kept in the ``setting`` table.

The same table holds the program's secrets and markers (the pseudonym key,
the audit head); only the keys named here may be read or set by a person,
so ``settings show`` can never print a secret.
"""

from sqlmodel import Session, col, select

from staircase.db.models import Setting
from staircase.i18n import N_

CONTROLLER = "controller"
CONTROLLER_CONTACT = "controller_contact"
DPO_CONTACT = "dpo_contact"
RETENTION_DAYS = "retention_days"

PUBLIC: dict[str, str] = {
    CONTROLLER: N_(
        "the data controller, as the subject-access letter names it "
        '(e.g. "Aarhus Kommune, Sundhed og Omsorg, Rådhuspladsen 2, 8000 Aarhus C")'
    ),
    CONTROLLER_CONTACT: N_("how a citizen reaches the controller (address, phone, e-mail)"),
    DPO_CONTACT: N_("the data-protection officer's contact (GDPR art. 37)"),
    RETENTION_DAYS: N_("days a closed case is kept before purge deletes it (default 1826)"),
}
"""Every setting a person may set, and what it is for (translated where it is shown)."""

MAX_RETENTION_DAYS = 36_500
"""A hundred years: longer is a typo (and beyond what a date can count back)."""


def read_settings(session: Session) -> dict[str, str]:
    """The public settings that are set."""
    rows = session.exec(select(Setting).where(col(Setting.key).in_(list(PUBLIC)))).all()
    return {row.key: row.value for row in rows}
