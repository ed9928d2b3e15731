"""An auditor with access: Northfield's admin has given an Ofsted inspector, Priya Shah,
read-only access to every ST0896 apprenticeship of Northfield (portfolio, off-the-job log,
reviews, gateway and results) for three weeks. She has taken it up and opened a few
pages, which Northfield's admin sees on the access page. Built through the services;
running it again changes nothing while her access is open."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from quality import auditors as access
from quality.models import AuditorGrant
from quality.services import auditors as services

AUDITOR = ("auditor@example.org", "Priya Shah")


@transaction.atomic
def seed(context) -> None:
    provider = context.organisations["provider"]
    admin = context.people["admin"]
    email, full_name = AUDITOR
    auditor = User.objects.filter(email=email).first()
    if auditor is None:
        auditor = User(email=email, full_name=full_name)
    auditor.set_password(context.password)
    auditor.save()
    context.people["auditor"] = auditor
    if access.open_grants(auditor).filter(organisation=provider).exists():
        return
    first = context.apprenticeships["apprentice"]
    grant = services.grant_access(
        organisation=provider,
        by=admin,
        full_name=full_name,
        email=email,
        purpose="Ofsted inspection",
        scope=AuditorGrant.Scope.STANDARD,
        apprenticeships=[],
        cohort_month=None,
        standard_reference=first.standard_version.reference,
        areas=list(AuditorGrant.AREAS),
        last_day=timezone.localdate() + dt.timedelta(days=21),
    )
    services.accept_invitation(grant_id=grant.pk, token=grant.token, by=auditor)
    services.record_read(grant=grant, by=auditor, what="the list of apprenticeships (page 1)")
    for what in (
        "the summary page",
        "the portfolio of evidence (page 1)",
        "the progress reviews (page 1)",
    ):
        services.record_read(grant=grant, by=auditor, apprenticeship=first, what=what)
