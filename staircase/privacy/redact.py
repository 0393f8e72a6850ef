"""Redacting other people from what one person is given about themselves (§6.4).

GDPR art. 15(4): a subject's copy must not adversely affect the rights of
others. Staff are shown by their role (the CJEU, C-579/21 Pankki S: the
subject learns when and why their data was consulted, not which employee
did it); other relatives and residents by what they are. Every person the
installation knows is redacted, not only those around the subject's cases:
a note may name another family. The subject's own name stays, and so does
the case's contact person, whom the relative knows by name (§6.4). Free
text is searched for full names, first and last names as written
(capitalised), and staff initials — a best effort, since a note may refer
to someone in words no list can know. Labels are Danish, in brackets in
free text, so a reader sees where a name was taken out.
"""

import re
from collections.abc import Iterable

from staircase.kinds import Role

ROLE_LABELS = {
    Role.STAFF: "medarbejder",
    Role.LEADER: "leder",
    Role.QUALITY: "kvalitetsmedarbejder",
    Role.ADMIN: "administrator",
}
RELATIVE_LABEL = "pårørende"
RESIDENT_LABEL = "beboer"
UNKNOWN_LABEL = "ukendt"

_MIN_PART = 3
"""Shorter name parts (``Bo``, ``Li``) are too often ordinary words to redact alone."""


class Redactor:
    """Replaces other people's names, name parts and initials by labels."""

    def __init__(
        self,
        *,
        staff: dict[str, tuple[str, str]],
        others: Iterable[tuple[str, str]],
        keep: Iterable[str],
        keep_staff: Iterable[str] = (),
    ) -> None:
        """``staff``: initials → (name, role); ``others``: (name, label) pairs;
        ``keep``: names never redacted (the subject's); ``keep_staff``: initials
        of staff whose name, name parts and initials stay (the contact person)."""
        self._roles = {i: ROLE_LABELS.get(role, role) for i, (_, role) in staff.items()}
        kept_staff = set(keep_staff)
        keep = {name.casefold() for name in keep} | {
            staff[i][0].casefold() for i in kept_staff if i in staff
        }
        own = {part for name in keep for part in name.split()}
        people = [(name, f"[{self._roles[i]}]") for i, (name, _) in staff.items()]
        people += [(name, f"[{label}]") for name, label in others]
        full = {
            n.casefold(): label for n, label in people if n.strip() and n.casefold() not in keep
        }
        parts = {
            part: label
            for name, label in people
            for part in name.split()
            if len(part) >= _MIN_PART and part.casefold() not in own
        }
        parts |= {i: f"[{label}]" for i, label in self._roles.items() if i not in kept_staff}
        self._full, self._full_re = full, _alternation(full, re.IGNORECASE)
        self._parts, self._parts_re = parts, _alternation(parts, 0)

    def staff(self, initials: str | None) -> str | None:
        """A staff member's initials as their role."""
        if initials is None:
            return None
        return self._roles.get(initials, UNKNOWN_LABEL)

    def text(self, value: str | None) -> str | None:
        """Free text with other people's names and initials replaced by labels."""
        if not value:
            return value
        if self._full_re is not None:
            value = self._full_re.sub(lambda m: self._full[m.group(0).casefold()], value)
        if self._parts_re is not None:
            value = self._parts_re.sub(lambda m: self._parts[m.group(0)], value)
        return value


def _alternation(words: dict[str, str], flags: int) -> re.Pattern[str] | None:
    """One pattern matching any of ``words`` as whole words, longest first."""
    if not words:
        return None
    ordered = sorted(words, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, ordered)) + r")(?!\w)", flags)
