"""Find things in evidence text that could identify a person the apprentice supports.

The check only warns: the apprentice sees each finding with its place and decides. It looks
for NHS numbers (with the modulus 11 check digit), UK postcodes, phone numbers, email
addresses, dates of birth and the names on the apprentice's private list. Pure functions,
no database.
"""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

EXCERPT_CHARS = 40


@dataclass(frozen=True)
class Finding:
    kind: str
    label: str
    text: str
    where: str
    line: int
    page: int | None
    before: str
    after: str

    @property
    def place(self) -> str:
        parts = [self.where]
        if self.page is not None:
            parts.append(f"page {self.page}")
        parts.append(f"line {self.line}")
        return ", ".join(parts)


LABELS = {
    "nhs_number": "NHS number",
    "postcode": "Postcode",
    "phone": "Phone number",
    "email": "Email address",
    "date_of_birth": "Date of birth",
    "name": "A name on your private list",
}

NHS_NUMBER = re.compile(r"(?<![\d-])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d-])")
POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE
)
# UK numbers (0..., +44 ...) and international ones (+cc ...), with spaces, dots, dashes
# or brackets between groups. The digit count is checked after matching.
PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d ().-]{7,18}\d(?![\w])")
EMAIL = re.compile(r"\b[\w.%+-]+@[\w-]+(?:\.[\w-]+)+\b")

MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    "sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
MONTH_NUMBERS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
NUMERIC_DATE = r"(?P<d1>\d{1,2})[/.-](?P<m1>\d{1,2})[/.-](?P<y1>\d{4}|\d{2})"
WORDY_DATE = (
    rf"(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{MONTHS})\.?,?\s+(?P<y2>\d{{4}})"
)
US_WORDY_DATE = rf"(?P<m3>{MONTHS})\.?\s+(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y3>\d{{4}})"
DATE = re.compile(rf"\b(?:{NUMERIC_DATE}|{WORDY_DATE}|{US_WORDY_DATE})\b", re.IGNORECASE)
BIRTH_WORDS = re.compile(
    r"\b(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|born(?:\s+on)?|birthday)\W{0,3}$", re.IGNORECASE
)
# A full date this many years before today cannot be a recent activity: it is most
# likely someone's date of birth.
BIRTH_YEARS_BACK = 16


def nhs_number_is_valid(digits: str) -> bool:
    """The modulus 11 check: weights 10 down to 2 on the first nine digits; 11 minus the
    remainder is the check digit (11 means 0; 10 means the number cannot exist)."""
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    weights = range(10, 1, -1)
    total = sum(int(digit) * weight for digit, weight in zip(digits[:9], weights, strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _phone_digits_plausible(match: str) -> bool:
    digits = re.sub(r"\D", "", match)
    if match.startswith("+") or match.startswith("00"):
        digits = digits[2:] if match.startswith("00") else digits
        if digits.startswith("44"):
            national = digits[2:].removeprefix("0")
            return len(national) in (9, 10)
        return 8 <= len(digits) <= 15
    # A national number: a leading 0, then 9 or 10 more digits.
    return digits.startswith("0") and len(digits) in (10, 11) and not digits.startswith("00")


def _parse_date(match: re.Match) -> dt.date | None:
    groups = match.groupdict()
    try:
        if groups["d1"]:
            year = int(groups["y1"])
            if year < 100:
                year += 1900 if year > 30 else 2000
            return dt.date(year, int(groups["m1"]), int(groups["d1"]))
        if groups["d2"]:
            month = MONTH_NUMBERS[groups["m2"].lower().rstrip(".")]
            return dt.date(int(groups["y2"]), month, int(groups["d2"]))
        month = MONTH_NUMBERS[groups["m3"].lower().rstrip(".")]
        return dt.date(int(groups["y3"]), month, int(groups["d3"]))
    except (ValueError, KeyError):
        return None


def _line_and_page(text: str, start: int) -> tuple[int, int | None]:
    """1-based line and, where the text has page breaks (\\f, from PDFs), page."""
    before = text[:start]
    page = before.count("\f") + 1 if "\f" in text else None
    line_start = max(before.rfind("\n"), before.rfind("\f")) + 1
    line = before[:line_start].replace("\f", "\n").count("\n") + 1
    if page is not None:
        page_start = before.rfind("\f") + 1
        line = before[page_start:line_start].count("\n") + 1
    return line, page


def _finding(kind: str, text: str, where: str, start: int, end: int) -> Finding:
    line, page = _line_and_page(text, start)
    before = text[max(0, start - EXCERPT_CHARS) : start]
    after = text[end : end + EXCERPT_CHARS]
    return Finding(
        kind=kind,
        label=LABELS[kind],
        text=text[start:end],
        where=where,
        line=line,
        page=page,
        before=" ".join(before.split()),
        after=" ".join(after.split()),
    )


def _name_pattern(name: str) -> re.Pattern | None:
    words = name.split()
    if not words:
        return None
    body = r"\s+".join(re.escape(word) for word in words)
    return re.compile(rf"(?<![\w]){body}(?![\w])", re.IGNORECASE)


def find_identifiers(
    text: str, *, where: str, names: Iterable[str] = (), today: dt.date | None = None
) -> list[Finding]:
    """Every finding in `text`, in the order they appear. `where` names the place (for
    example "Written account" or a file name) in each finding."""
    today = today or dt.date.today()  # noqa: DTZ011 - a calendar date, not a moment
    if not text:
        return []
    found: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, start: int, end: int) -> None:
        if any(start < t_end and end > t_start for t_start, t_end in taken):
            return
        taken.append((start, end))
        found.append((start, end, kind))

    # Where findings overlap the first kind wins: an email address that contains a name
    # is reported once, as an email address.
    for match in EMAIL.finditer(text):
        add("email", match.start(), match.end())
    for name in names:
        pattern = _name_pattern(name)
        if pattern:
            for match in pattern.finditer(text):
                add("name", match.start(), match.end())
    for match in NHS_NUMBER.finditer(text):
        if nhs_number_is_valid("".join(match.groups())):
            add("nhs_number", match.start(), match.end())
    for match in DATE.finditer(text):
        day = _parse_date(match)
        if day is None:
            continue
        keyword = BIRTH_WORDS.search(text[max(0, match.start() - 25) : match.start()])
        if keyword or day.year <= today.year - BIRTH_YEARS_BACK:
            add("date_of_birth", match.start(), match.end())
    for match in PHONE.finditer(text):
        candidate = match.group().strip(" .-()")
        if _phone_digits_plausible(candidate):
            start = match.start() + match.group().index(candidate)
            add("phone", start, start + len(candidate))
    for match in POSTCODE.finditer(text):
        add("postcode", match.start(), match.end())
    found.sort()
    return [_finding(kind, text, where, start, end) for start, end, kind in found]
