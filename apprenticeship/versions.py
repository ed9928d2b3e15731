"""Moving an enrolment to another version of its standard: which versions it may move to,
what happens to each statement its evidence is mapped to, and the move itself (one
transaction, recorded in the history)."""

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet

from accounts.models import User
from apprenticeship.models import (
    Apprenticeship,
)
from apprenticeship.services import EnrolmentError, lock_apprenticeship
from audit.actions import AuditAction
from audit.services import record_event
from standards.errors import ReferenceMoveError
from standards.models import KSB, Duty, StandardVersion
from standards.services.references import count_references, move_references


@dataclass
class StatementToMove:
    """A duty or KSB of the enrolment's version that its records refer to."""

    statement: Duty | KSB
    references: dict[str, int]

    @property
    def is_duty(self) -> bool:
        return isinstance(self.statement, Duty)

    @property
    def references_text(self) -> str:
        return "; ".join(f"{label}: {n}" for label, n in self.references.items())


def other_versions(apprenticeship: Apprenticeship) -> QuerySet[StandardVersion]:
    """The versions of the same standard this enrolment could move to."""
    return StandardVersion.objects.filter(
        reference=apprenticeship.standard_version.reference
    ).exclude(pk=apprenticeship.standard_version_id)


def statements_to_move(apprenticeship: Apprenticeship) -> list[StatementToMove]:
    """Every duty and KSB of the enrolment's version (retired ones too) that this
    apprenticeship's records refer to, with how many; other apprenticeships' records are
    not counted. standards counts them by walking the model relations, so this app never
    names the portfolio's models."""
    scope = (Apprenticeship, apprenticeship.pk)
    rows = []
    for model in (Duty, KSB):
        version = apprenticeship.standard_version_id
        statements = {s.pk: s for s in model.objects.filter(standard_version=version)}
        counts = count_references(model, statements, within=scope)
        rows += [StatementToMove(statements[pk], counts[pk]) for pk in statements if pk in counts]
    return rows


@transaction.atomic
def move_to_standard_version(
    *,
    apprenticeship: Apprenticeship,
    to_version: StandardVersion,
    mapping: Mapping[tuple[str, int], int],
    by: User,
) -> Apprenticeship:
    """Move an enrolment to another version of its standard. Every record of this
    apprenticeship that refers to a duty or KSB of the old version (evidence, accepted
    versions, sign-offs, off-the-job entries and plan) moves to the statement `mapping`
    names: {("duty" or "ksb", old id): new id}. Other apprenticeships stay where they are.

    Only before gateway: the frozen portfolio and the assessment were made against the
    version. Recorded in the history with the mapping and how many records moved. Raises
    EnrolmentError, and then nothing has changed."""
    locked = lock_apprenticeship(apprenticeship)
    old_version = locked.standard_version
    if locked.status != Apprenticeship.Status.ON_PROGRAMME:
        raise EnrolmentError(
            "Only an apprenticeship in training can move to another version: after gateway "
            "the frozen portfolio and the assessment belong to the version it had."
        )
    if to_version.reference != old_version.reference or to_version.pk == old_version.pk:
        raise EnrolmentError(f"Choose another version of {old_version.reference}.")
    scope = (Apprenticeship, locked.pk)
    to_move = statements_to_move(locked)
    moved: dict[str, dict[str, int]] = {}
    codes: dict[str, str] = {}
    for model, key in ((Duty, "duty"), (KSB, "ksb")):
        referred = {
            row.statement.pk: row.statement for row in to_move if row.is_duty == (model is Duty)
        }
        targets = {t.pk: t for t in model.objects.current().filter(standard_version=to_version)}
        moves = {}
        for pk, statement in referred.items():
            target = targets.get(mapping.get((key, pk), 0))
            if target is None:
                raise EnrolmentError(
                    f"Choose a current {'duty' if key == 'duty' else 'KSB'} of version "
                    f"{to_version.version} for the records of {statement.code_label}."
                )
            moves[pk] = target.pk
            codes[statement.code_label] = target.code
        try:
            done = move_references(model, moves, within=scope)
        except ReferenceMoveError as error:
            raise EnrolmentError(
                f"The records cannot move as chosen: {error.args[0]}. Choose another "
                "statement for one of them."
            ) from None
        moved |= {referred[pk].code_label: counts for pk, counts in done.items()}
    if statements_to_move(locked):
        raise EnrolmentError("Some records still refer to the old version; nothing was moved.")
    locked.standard_version = to_version
    locked.save(update_fields=["standard_version"])
    record_event(
        action=AuditAction.APPRENTICESHIP_STANDARD_VERSION_MOVED,
        obj=locked,
        actor=by,
        apprenticeship_id=locked.pk,
        summary=f"Moved from {old_version} to version {to_version.version}",
        before={"standard_version": old_version.pk, "version": old_version.version},
        after={
            "standard_version": to_version.pk,
            "version": to_version.version,
            "mapping": codes,
            "moved": moved,
        },
    )
    return locked
