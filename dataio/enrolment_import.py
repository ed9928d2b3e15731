"""Bulk enrolment: the template, reading a CSV or XLSX file, and the preview of what each
row will create and what is wrong with it. Reads only: dataio/services/enrolment.py creates.

The preview and the import run the same `plan_rows`, so what the admin confirmed is what
is created; the rules of an enrolment are those of the one-at-a-time form
(`apprenticeship.services.validate_enrolment`), and the people and enrolments are made by
the same services, so separation of duties and invitations apply to every row.

Loading is in bulk (a fixed number of queries for the whole file), so a 2,000-row file
previews in seconds (bin/benchmark-import).
"""

import csv
import datetime as dt
import hashlib
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from zipfile import BadZipFile

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from apprenticeship.models import (
    Apprenticeship,
    Membership,
    Organisation,
    OrganisationMembership,
    Role,
)
from apprenticeship.services import validate_enrolment
from apprenticeship.uln import uln_problem
from standards.models import StandardVersion

# The template's columns, in order, with what goes in each (shown on the page and written
# into the template's second sheet).
COLUMNS: dict[str, str] = {
    "email": "The apprentice's email address. Required. A new person is invited by email.",
    "full_name": "The apprentice's full name. Required.",
    "date_of_birth": "Date of birth, as 2001-03-31 or 31/03/2001. Required.",
    "uln": "The 10-digit unique learner number. Optional; checked by its check digit.",
    "employer": "The employer's name. Matched to an employer you look after, ignoring "
    "capitals; if none matches, a new employer is created.",
    "standard": "The standard's reference, such as ST0896. Required.",
    "version": "The standard's version, such as 1.0. Required.",
    "start_date": "The start date. Required.",
    "planned_end_date": "The planned end date, after the start date. Required.",
    "contracted_weekly_hours": "Contracted hours a week, such as 30 or 37.5. Required.",
    "tutor_email": "Optional. The email of a tutor who already works for your provider.",
}
REQUIRED = (
    "email",
    "full_name",
    "date_of_birth",
    "employer",
    "standard",
    "version",
    "start_date",
    "planned_end_date",
    "contracted_weekly_hours",
)
EXAMPLE = {
    "email": "sam.example@example.org",
    "full_name": "Sam Example",
    "date_of_birth": "1990-05-17",
    "uln": "9276308686",
    "employer": "Riverside Recovery Service",
    "standard": "ST0896",
    "version": "1.0",
    "start_date": "2026-09-07",
    "planned_end_date": "2027-12-06",
    "contracted_weekly_hours": "30",
    "tutor_email": "",
}
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
# Rules of validate_enrolment by the column they are about.
FIELD_COLUMNS = {
    "date_of_birth": "date_of_birth",
    "planned_end_date": "planned_end_date",
    "contracted_weekly_hours": "contracted_weekly_hours",
    "employer": "employer",
    "apprentice": "email",
}


class ImportFileError(Exception):
    """The file cannot be read as an enrolment spreadsheet at all."""


# -- the template -----------------------------------------------------------------------


def template_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow(EXAMPLE.values())
    return out.getvalue()


# -- reading ----------------------------------------------------------------------------


def checksum(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(content: bytes, filename: str) -> list[dict]:
    """The file's rows as [{"row": its row number in the file, "values": {column: text}}],
    blank rows left out. Raises ImportFileError for a file that is not an enrolment sheet."""
    if len(content) > MAX_BYTES:
        raise ImportFileError("The file is larger than 5 MB. Split it into smaller files.")
    if content[:4] == b"PK\x03\x04":
        table = _xlsx_table(content)
    elif filename.lower().endswith((".xlsx", ".xlsm")):
        raise ImportFileError("This file is not a readable Excel workbook.")
    else:
        table = _csv_table(content)
    if not table:
        raise ImportFileError("The file is empty.")
    header = [_cell(h).lower().replace(" ", "_") for h in table[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportFileError(
            "The first row must name the columns of the template. Missing: "
            + ", ".join(missing)
            + "."
        )
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = {
            name: _cell(cells[i]) if i < len(cells) else ""
            for i, name in enumerate(header)
            if name in COLUMNS
        }
        if any(values.values()):
            rows.append({"row": number, "values": {c: values.get(c, "") for c in COLUMNS}})
    if not rows:
        raise ImportFileError("The file has a header row but no learners.")
    if len(rows) > MAX_ROWS:
        raise ImportFileError(f"The file has more than {MAX_ROWS} rows. Split it.")
    return rows


def _csv_table(content: bytes) -> list[list]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError as error:
            raise ImportFileError("The file is not a CSV file saved as text.") from error
    if "\x00" in text:
        raise ImportFileError("The file is not a CSV file saved as text.")
    return list(csv.reader(io.StringIO(text)))


def _xlsx_table(content: bytes) -> list[list]:
    from openpyxl import load_workbook  # only for XLSX files
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError) as error:
        raise ImportFileError("This file is not a readable Excel workbook.") from error
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


# -- the plan ---------------------------------------------------------------------------


@dataclass
class RowPlan:
    row: int
    values: dict[str, str]
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column, message)
    actions: list[str] = field(default_factory=list)
    already_enrolled: bool = False
    # What the import needs to create this row, worked out by the plan.
    standard_version_id: int | None = None
    employer_id: int | None = None  # None: a new employer named values["employer"]
    apprentice_id: int | None = None  # None: a new person
    joins_employer: bool = False
    tutor_id: int | None = None
    parsed: dict = field(default_factory=dict)

    @property
    def state(self) -> str:
        if self.problems:
            return "problem"
        return "already" if self.already_enrolled else "new"


@dataclass
class Plan:
    rows: list[RowPlan]

    @property
    def problems(self) -> int:
        return sum(len(r.problems) for r in self.rows)

    @property
    def rows_with_problems(self) -> int:
        return sum(1 for r in self.rows if r.problems)

    @property
    def to_create(self) -> int:
        return sum(1 for r in self.rows if r.state == "new")

    @property
    def already(self) -> int:
        return sum(1 for r in self.rows if r.state == "already")

    @property
    def new_people(self) -> int:
        return len(
            {
                r.values["email"].lower()
                for r in self.rows
                if r.state == "new" and not r.apprentice_id
            }
        )

    @property
    def new_employers(self) -> int:
        return len(
            {
                r.values["employer"].lower()
                for r in self.rows
                if r.state == "new" and not r.employer_id
            }
        )


def _date(text: str) -> dt.date | None:
    """2026-09-07 or 07/09/2026 (day first); None for anything else."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    day, _, rest = text.partition("/")
    month, _, year = rest.partition("/")
    if day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4:
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError:
            return None
    return None


def _roles_elsewhere(users: Iterable[User]) -> dict[int, str]:
    """{user id: the role they hold that an apprentice cannot} for staff of a provider or
    an assessment organisation and anyone who is a tutor, employer contact or assessor."""
    ids = [u.pk for u in users]
    roles: dict[int, str] = {}
    for user_id, kind in OrganisationMembership.objects.filter(
        user_id__in=ids,
        is_active=True,
        organisation__kind__in=(Organisation.Kind.PROVIDER, Organisation.Kind.EPAO),
    ).values_list("user_id", "organisation__kind"):
        roles.setdefault(
            user_id,
            "works for a training provider"
            if kind == Organisation.Kind.PROVIDER
            else "works for an assessment organisation",
        )
    for user_id, role in Membership.objects.filter(user_id__in=ids, is_active=True).values_list(
        "user_id", "role"
    ):
        roles.setdefault(user_id, f"is {Role(role).label.lower()} on an apprenticeship")
    return roles


def plan_rows(*, provider: Organisation, rows: list[dict], today: dt.date | None = None) -> Plan:
    """What each row will create, or every problem with it by column. A fixed number of
    queries however many rows there are, and no model built per row."""
    today = today or timezone.localdate()
    values = [r["values"] for r in rows]
    emails = {v["email"].strip().lower() for v in values if v["email"].strip()}
    tutor_emails = {v["tutor_email"].strip().lower() for v in values if v["tutor_email"].strip()}
    ulns = {v["uln"].strip() for v in values if v["uln"].strip()}

    versions = {
        (sv.reference.upper(), sv.version): sv
        for sv in StandardVersion.objects.filter(
            reference__in={v["standard"].strip().upper() for v in values}
        )
    }
    people = {u.email.lower(): u for u in User.objects.filter(email__in=emails)}
    # Emails are stored lower-cased by invite_person; catch any that were not.
    missing = emails - set(people)
    if missing:
        lookup = Q()
        for email in missing:
            lookup |= Q(email__iexact=email)
        people.update({u.email.lower(): u for u in User.objects.filter(lookup)})
    elsewhere = _roles_elsewhere(people.values())
    employers: dict[str, Organisation] = {}
    for org in Organisation.objects.filter(
        kind=Organisation.Kind.EMPLOYER, managed_by=provider
    ).order_by("pk"):
        employers.setdefault(org.name.strip().lower(), org)
    works_for = set(
        OrganisationMembership.objects.filter(
            user__in=people.values(), is_active=True, organisation__kind=Organisation.Kind.EMPLOYER
        ).values_list("user_id", "organisation_id")
    )
    tutors = {
        u.email.lower(): u
        for u in User.objects.filter(
            email__in=tutor_emails,
            org_memberships__organisation=provider,
            org_memberships__is_active=True,
        )
    }
    enrolled = set(
        Apprenticeship.objects.filter(
            provider=provider, apprentice__in=people.values()
        ).values_list("apprentice_id", "standard_version_id", "start_date")
    )
    uln_owner = dict(
        Apprenticeship.objects.filter(uln__in=ulns)
        .exclude(uln="")
        .values_list("uln", "apprentice__email")
    )

    seen_email = Counter(v["email"].strip().lower() for v in values if v["email"].strip())
    seen_uln = Counter(v["uln"].strip() for v in values if v["uln"].strip())
    first_row: dict[tuple[str, str], int] = {}
    new_employer_row: dict[str, int] = {}
    # Stand-ins for a person or employer not created yet: the rules read only their kind.
    new_employer = Organisation(kind=Organisation.Kind.EMPLOYER)
    new_person = User()
    plans = []
    for raw in rows:
        plan = RowPlan(row=raw["row"], values={k: v.strip() for k, v in raw["values"].items()})
        _plan_row(
            plan,
            provider=provider,
            today=today,
            versions=versions,
            people=people,
            elsewhere=elsewhere,
            employers=employers,
            works_for=works_for,
            tutors=tutors,
            enrolled=enrolled,
            uln_owner=uln_owner,
            seen_email=seen_email,
            seen_uln=seen_uln,
            first_row=first_row,
            new_employer_row=new_employer_row,
            new_employer=new_employer,
            new_person=new_person,
        )
        plans.append(plan)
    return Plan(rows=plans)


def _plan_row(plan: RowPlan, *, provider, today, versions, people, elsewhere, **known) -> None:
    v = plan.values
    problem = plan.problems.append
    for column in REQUIRED:
        if not v[column]:
            problem((column, "This is required."))
    email = v["email"].lower()
    # Duplicates within the file.
    for column, key in (("email", email), ("uln", v["uln"])):
        counts = known["seen_email"] if column == "email" else known["seen_uln"]
        if key and counts[key] > 1:
            earlier = known["first_row"].setdefault((column, key), plan.row)
            if earlier != plan.row:
                problem((column, f"The same learner is already on row {earlier} of this file."))
            else:
                problem((column, "The same learner appears again further down this file."))
    # Standard version.
    version = versions.get((v["standard"].upper(), v["version"]))
    if v["standard"] and v["version"] and version is None:
        problem(("version", f"There is no standard {v['standard']} version {v['version']} here."))
    plan.standard_version_id = version.pk if version else None
    # Unique learner number.
    if v["uln"]:
        message = uln_problem(v["uln"])
        if message:
            problem(("uln", message))
        elif known["uln_owner"].get(v["uln"], email).lower() != email:
            problem(("uln", "This unique learner number belongs to another learner here."))
    # Dates and hours.
    parsed: dict = {}
    for column in ("date_of_birth", "start_date", "planned_end_date"):
        if v[column]:
            parsed[column] = _date(v[column])
            if parsed[column] is None:
                problem((column, "Write the date as 2026-09-07 or 07/09/2026."))
    if v["contracted_weekly_hours"]:
        try:
            parsed["contracted_weekly_hours"] = Decimal(v["contracted_weekly_hours"])
        except InvalidOperation:
            problem(("contracted_weekly_hours", "Write the hours as a number, such as 30."))
    # The person.
    person = people.get(email)
    if person is not None:
        plan.apprentice_id = person.pk
        role = elsewhere.get(person.pk)
        if role:
            problem(
                (
                    "email",
                    f"This email belongs to {person.full_name}, who {role}: one person "
                    "cannot be an apprentice and hold another role.",
                )
            )
    # The employer.
    employer_key = v["employer"].lower()
    employer = known["employers"].get(employer_key)
    plan.employer_id = employer.pk if employer else None
    # The tutor.
    if v["tutor_email"]:
        tutor = known["tutors"].get(v["tutor_email"].lower())
        if tutor is None:
            problem(("tutor_email", "No one with this email works for your provider."))
        elif tutor.email.lower() == email:
            problem(("tutor_email", "An apprentice cannot be their own tutor."))
        else:
            plan.tutor_id = tutor.pk
    # The rules of an enrolment, as the one-at-a-time form applies them.
    if all(
        parsed.get(c) is not None for c in ("date_of_birth", "start_date", "planned_end_date")
    ) and ("contracted_weekly_hours" in parsed):
        try:
            validate_enrolment(
                apprentice=person or known["new_person"],
                provider=provider,
                employer=employer or known["new_employer"],
                epao=None,
                today=today,
                check_employment=False,
                **parsed,
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    problem((FIELD_COLUMNS.get(name, name), message))
    plan.parsed = parsed
    if plan.problems:
        return
    if (
        person is not None
        and (
            person.pk,
            plan.standard_version_id,
            parsed["start_date"],
        )
        in known["enrolled"]
    ):
        plan.already_enrolled = True
        plan.actions.append(
            "Already enrolled with the same standard and start date: nothing to do."
        )
        return
    # What will be created.
    if person is None:
        plan.actions.append(f"Invite {v['full_name']} <{email}> (new account, emailed a link)")
    else:
        plan.actions.append(f"Use the existing account of {person.full_name}")
    if employer is None:
        created_on = known["new_employer_row"].setdefault(employer_key, plan.row)
        plan.actions.append(
            f"Create the employer {v['employer']}"
            if created_on == plan.row
            else f"Employer {v['employer']} (created for row {created_on})"
        )
    else:
        plan.actions.append(f"Employer {employer.name} (already here)")
    plan.joins_employer = (
        person is None or employer is None or ((person.pk, employer.pk) not in known["works_for"])
    )
    if plan.joins_employer and person is not None:
        plan.actions.append(f"Add {person.full_name} to {v['employer']}")
    standard = f"{v['standard'].upper()} version {v['version']}"
    plan.actions.append(
        f"Enrol on {standard} from {parsed['start_date']:%-d %b %Y} "
        f"to {parsed['planned_end_date']:%-d %b %Y}"
    )
    if plan.tutor_id:
        plan.actions.append(f"Tutor: {v['tutor_email']}")
