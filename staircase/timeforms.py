"""The forms a WHEN may take, listed for people (§10.2).

Kept apart from ``clock`` so that ``--help``, which lists them beside every
time option, loads no time zones and no parser (§8: ``--help`` ≤ 150 ms).
"""

FORMS = (
    "21.11.2026 14:30",
    "21/11",
    "i går kl. 14",
    "i går 14:00",
    "i dag",
    "i morgen",
    "om 2 uger",
    "for 2 timer siden",
    "-2h",
    "+14d",
    "2026-11-21 14:30",
    "yesterday 14:00",
)
"""The forms a WHEN may take, as help texts and the refusal of an unreadable one list them."""


def forms() -> str:
    """The accepted forms, quoted and comma-separated, for a help text or an error line."""
    return ", ".join(f'"{form}"' for form in FORMS)
