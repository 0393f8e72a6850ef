import re
from staircase.errors import InvalidInput
def refuse_cpr(text, *, field):
    if text and re.search(r"\d{6}-?\d{4}", text):
        raise InvalidInput(f"{field} looks like it contains a CPR number; remove it")
