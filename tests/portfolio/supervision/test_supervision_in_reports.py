"""A supervision record used as evidence reaches the frozen portfolio and the PDF from the
record itself: what was agreed, the reflection only if shared, and nothing of it in the
employer's copy unless the record is shared with the employer."""

import datetime as dt

from django.utils import timezone

from portfolio.evidence.models import Evidence
from portfolio.supervision import services
from reports import content
from reports.models import Report

AGREED = "Agreed: one quiet hour after each crisis visit."
REFLECTION = "Private: the ward smell took me straight back."


def _evidence_from_record(personas, **sharing):
    record = services.record_supervision(
        apprenticeship=personas["apprenticeship"],
        by=personas["apprentice"],
        held_on=timezone.localdate() - dt.timedelta(days=5),
        kind="peer",
        format="individual",
        minutes=60,
        supervisor_name="Grace Otieno",
        agreed=AGREED,
        reflection=REFLECTION,
        **sharing,
    )
    evidence = services.use_as_evidence(record=record, by=personas["apprentice"])
    evidence.duties.add(personas["apprenticeship"].standard_version.duties.first())
    Evidence.objects.filter(pk=evidence.pk).update(status=Evidence.Status.SUBMITTED)
    return record, evidence


def _html(apprenticeship, audience):
    return content.build_document(
        apprenticeship=apprenticeship, kind=Report.Kind.PORTFOLIO, audience=audience
    ).html


def test_the_full_copy_shows_what_was_agreed_and_keeps_the_reflection_private(personas):
    _evidence_from_record(personas)
    html = _html(personas["apprenticeship"], Report.Audience.FULL)
    assert AGREED in html
    assert REFLECTION not in html


def test_a_shared_reflection_is_in_the_full_copy(personas):
    _evidence_from_record(personas, reflection_shared=True)
    assert REFLECTION in _html(personas["apprenticeship"], Report.Audience.FULL)


def test_the_employers_copy_leaves_out_a_record_not_shared_with_the_employer(personas):
    record, evidence = _evidence_from_record(personas)
    # Even if the apprentice lets the employer see the evidence item itself.
    Evidence.objects.filter(pk=evidence.pk).update(visible_to_employer=True)
    html = _html(personas["apprenticeship"], Report.Audience.EMPLOYER)
    assert evidence.title in html
    assert AGREED not in html and REFLECTION not in html


def test_the_employers_copy_shows_a_record_shared_with_the_employer(personas):
    _evidence_from_record(personas, shared_with_employer=True)
    html = _html(personas["apprenticeship"], Report.Audience.EMPLOYER)
    assert AGREED in html and REFLECTION not in html


def test_the_frozen_portfolio_reads_the_record(personas):
    _, evidence = _evidence_from_record(personas)
    data = content.portfolio_data(personas["apprenticeship"], Report.Kind.PORTFOLIO)
    (item,) = [i for i in data["evidence"] if i["id"] == evidence.pk]
    assert item["account"] == ""
    assert item["supervision"]["agreed"] == AGREED
    assert item["supervision"]["reflection"] == ""
