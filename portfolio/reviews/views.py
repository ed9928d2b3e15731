"""Progress review pages: the list, planning, recording, signing and the public page where
an employer contact signs through an emailed link."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from apprenticeship import access as apprenticeship_access
from apprenticeship.access import Action
from config.pagination import paginate
from portfolio.reviews import schedule as review_schedule
from portfolio.reviews import selectors as review_selectors
from portfolio.reviews.access import get_review_for
from portfolio.reviews.forms import (
    CancelReviewForm,
    IntervalForm,
    LinkSignForm,
    RecordReviewForm,
    ScheduleReviewForm,
    SignReviewForm,
    target_formset,
    targets_from,
)
from portfolio.reviews.models import Review, ReviewParty
from portfolio.reviews.services import links as review_links
from portfolio.reviews.services import reviews, scheduling

SIGN_HEADINGS = {
    ReviewParty.APPRENTICE: "Sign as the apprentice",
    ReviewParty.EMPLOYER: "Sign for the employer",
    ReviewParty.TUTOR: "Sign as the tutor",
}


def _form_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: keyed errors on their fields when the
    form has them, the rest at the top."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error)


@login_required
def review_list(request, pk: int):
    apprenticeship = apprenticeship_access.get_apprenticeship_for(
        request.user, pk, Action.VIEW_REVIEWS
    )
    return render(
        request,
        "portfolio/reviews/review_list.html",
        {
            "apprenticeship": apprenticeship,
            "schedule": review_schedule.review_schedule(apprenticeship),
            "page": paginate(request, review_selectors.reviews_for_list(apprenticeship)),
            "can": apprenticeship_access.permissions(apprenticeship.viewer_roles),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_schedule_new(request, pk: int):
    apprenticeship = apprenticeship_access.get_apprenticeship_for(
        request.user, pk, Action.MANAGE_REVIEWS
    )
    schedule = review_schedule.review_schedule(apprenticeship)
    initial = {"scheduled_for": schedule.next_due} if schedule.next_due else {}
    form = ScheduleReviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            review = scheduling.schedule_review(
                apprenticeship=apprenticeship,
                by=request.user,
                scheduled_for=form.cleaned_data["scheduled_for"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        except reviews.ReviewError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Review planned for {review.scheduled_for:%-d %B %Y}.")
            _warn_if_after_due(request, review.scheduled_for, schedule)
            return redirect(review)
    return render(
        request,
        "portfolio/reviews/review_schedule.html",
        {"apprenticeship": apprenticeship, "form": form, "schedule": schedule, "review": None},
    )


def _warn_if_after_due(request, day, schedule) -> None:
    if schedule.next_due and day > schedule.next_due:
        messages.warning(
            request,
            f"That is after the date the review is due ({schedule.next_due:%-d %B %Y}).",
        )


@login_required
@require_http_methods(["GET", "POST"])
def review_reschedule(request, pk: int):
    review = get_review_for(request.user, pk, Action.MANAGE_REVIEWS)
    if review.status != Review.Status.SCHEDULED:
        messages.error(request, "Only a planned review can move to another date.")
        return redirect(review)
    form = ScheduleReviewForm(request.POST or None, initial={"scheduled_for": review.scheduled_for})
    if request.method == "POST" and form.is_valid():
        try:
            review = scheduling.reschedule_review(
                review=review, by=request.user, scheduled_for=form.cleaned_data["scheduled_for"]
            )
        except ValidationError as error:
            _form_errors(form, error)
        except reviews.ReviewError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Review moved to {review.scheduled_for:%-d %B %Y}.")
            _warn_if_after_due(
                request,
                review.scheduled_for,
                review_schedule.review_schedule(review.apprenticeship),
            )
            return redirect(review)
    return render(
        request,
        "portfolio/reviews/review_schedule.html",
        {"apprenticeship": review.apprenticeship, "form": form, "review": review},
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_cancel(request, pk: int):
    review = get_review_for(request.user, pk, Action.MANAGE_REVIEWS)
    if review.status != Review.Status.SCHEDULED:
        messages.error(request, "Only a planned review can be called off.")
        return redirect(review)
    form = CancelReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            scheduling.cancel_review(
                review=review, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _form_errors(form, error)
        except reviews.ReviewError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Review called off. The record of it is kept.")
            return redirect("portfolio:review-list", pk=review.apprenticeship_id)
    return render(
        request,
        "portfolio/reviews/review_cancel.html",
        {"apprenticeship": review.apprenticeship, "form": form, "review": review},
    )


def _record(request, apprenticeship, review):
    """The record form, for a new review (review None), a planned one, or a change."""
    version = review.current_version if review else None
    if version is not None:
        initial = {
            "held_on": version.held_on,
            "format": version.format,
            "employer_signatory": version.employer_signatory_id,
            "discussion": version.discussion,
            "employer_view": version.employer_view,
            "wellbeing": version.wellbeing,
        }
        target_rows = [{"text": t.text, "due_on": t.due_on} for t in version.targets.all()]
    else:
        held_on = review.scheduled_for if review else None
        if held_on is None or held_on > timezone.localdate():
            held_on = timezone.localdate()
        initial, target_rows = {"held_on": held_on}, []
    data = request.POST if request.method == "POST" else None
    form = RecordReviewForm(data, initial=initial, apprenticeship=apprenticeship)
    formset = target_formset(data, initial=target_rows)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            review = reviews.record_review(
                apprenticeship=apprenticeship,
                review=review,
                by=request.user,
                targets=targets_from(formset),
                **form.cleaned_data,
            )
        except ValidationError as error:
            _form_errors(form, error)
        except reviews.ReviewError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Review saved. Everyone can now read and sign it.")
            return redirect(review)
    return render(
        request,
        "portfolio/reviews/review_form.html",
        {
            "apprenticeship": apprenticeship,
            "review": review,
            "version": version,
            "signed_by_anyone": bool(version and version.signed_parties),
            "form": form,
            "formset": formset,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_create(request, pk: int):
    apprenticeship = apprenticeship_access.get_apprenticeship_for(
        request.user, pk, Action.MANAGE_REVIEWS
    )
    return _record(request, apprenticeship, None)


@login_required
@require_http_methods(["GET", "POST"])
def review_record(request, pk: int):
    review = get_review_for(request.user, pk, Action.MANAGE_REVIEWS)
    if review.status == Review.Status.CANCELLED:
        messages.error(request, "This review was called off, so nothing can be recorded on it.")
        return redirect(review)
    return _record(request, review.apprenticeship, review)


def _version_context(request, review, version) -> dict:
    """What the review and version pages share: the content, signatures and seals."""
    roles = review.apprenticeship.viewer_roles
    return {
        "apprenticeship": review.apprenticeship,
        "review": review,
        "version": version,
        "show_wellbeing": apprenticeship_access.is_allowed(roles, Action.VIEW_REVIEW_WELLBEING),
        "signatures": _signature_rows(version),
        "can": apprenticeship_access.permissions(roles),
    }


def _signature_rows(version) -> list[dict]:
    if version is None:
        return []
    checks = review_selectors.seal_checks(version)
    return [
        {
            "party": party,
            "signature": version.signature_for(party),
            "seal": checks.get(party),
        }
        for party in ReviewParty
    ]


@login_required
def review_detail(request, pk: int):
    review = get_review_for(request.user, pk, Action.VIEW_REVIEWS)
    version = review.current_version
    context = _version_context(request, review, version)
    context["older_versions"] = review_selectors.older_versions(review) if version else []
    context["signed_late"] = review_schedule.signed_late(review)
    if version is not None:
        context["sign_forms"] = [
            {
                "heading": SIGN_HEADINGS[party],
                "form": SignReviewForm(
                    initial={"party": party, "seal": reviews.seal_for(version, party)}
                ),
            }
            for party in review_selectors.parties_to_sign(request.user, review)
        ]
        context["late_days"] = review_schedule.LATE_SIGNATURE_DAYS
        context["link_days"] = review_links.SIGNING_LINK_VALID_DAYS
        if apprenticeship_access.is_allowed(
            review.apprenticeship.viewer_roles, Action.MANAGE_REVIEWS
        ):
            context["open_link"] = review_links.open_link_for(version)
    return render(request, "portfolio/reviews/review_detail.html", context)


@login_required
def review_version(request, pk: int, number: int):
    review = get_review_for(request.user, pk, Action.VIEW_REVIEWS)
    version = review_selectors.version_with_details(review, number)
    if version is None:
        raise Http404
    context = _version_context(request, review, version)
    context["is_old_version"] = version.pk != review.current_version_id
    return render(request, "portfolio/reviews/review_version.html", context)


@login_required
@require_POST
def review_sign(request, pk: int):
    review = get_review_for(request.user, pk, Action.SIGN_REVIEW)
    form = SignReviewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(review)
    try:
        reviews.sign_review(
            review=review,
            by=request.user,
            party=form.cleaned_data["party"],
            seen_digest=form.cleaned_data["seal"],
        )
    except reviews.ReviewError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Signed. Thank you.")
    return redirect(review)


@login_required
@require_POST
def review_send_link(request, pk: int):
    review = get_review_for(request.user, pk, Action.MANAGE_REVIEWS)
    try:
        link = review_links.send_signing_link(review=review, by=request.user)
    except reviews.ReviewError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Signing link sent to {link.signer.full_name} ({link.signer.email}). It works "
            f"once, until {timezone.localtime(link.expires_at):%-d %B %Y}.",
        )
    return redirect(review)


@login_required
@require_http_methods(["GET", "POST"])
def review_interval(request, pk: int):
    apprenticeship = apprenticeship_access.get_apprenticeship_for(
        request.user, pk, Action.MANAGE_REVIEWS
    )
    schedule = review_schedule.review_schedule(apprenticeship)
    agreed = schedule.agreed
    initial = (
        {"choice": IntervalForm.AGREED, "every": agreed.every, "unit": agreed.unit}
        if agreed
        else {"choice": IntervalForm.RULE, "unit": schedule.rule.unit}
    )
    if agreed and agreed.employer_agreed_by_id:
        initial["employer_contact"] = agreed.employer_agreed_by_id
        initial["employer_agreed_on"] = agreed.employer_agreed_on
    form = IntervalForm(request.POST or None, initial=initial, apprenticeship=apprenticeship)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["choice"] == IntervalForm.AGREED:
                scheduling.agree_review_interval(
                    apprenticeship=apprenticeship,
                    by=request.user,
                    every=form.cleaned_data["every"],
                    unit=form.cleaned_data["unit"],
                    reason=form.cleaned_data["reason"],
                    employer_contact=form.cleaned_data["employer_contact"],
                    employer_agreed_on=form.cleaned_data["employer_agreed_on"],
                )
            else:
                scheduling.use_funding_rule_interval(apprenticeship=apprenticeship, by=request.user)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, "How often reviews happen is saved.")
            return redirect("portfolio:review-list", pk=apprenticeship.pk)
    return render(
        request,
        "portfolio/reviews/review_interval.html",
        {"apprenticeship": apprenticeship, "form": form, "schedule": schedule},
    )


# -- the emailed link: no sign-in ------------------------------------------------------


def _link_response(response):
    # The token is in the address: never cache the page. (The site's Referrer-Policy,
    # same-origin, already keeps the address from other sites; "no-referrer" would make
    # browsers send "Origin: null" with the form, which the CSRF check rightly refuses.)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def review_sign_by_link(request, pk: int, token: str):
    """The employer signatory reads the review (without the wellbeing check-in, which they
    never see) and signs it. Anyone holding the link may open it; it works once."""
    try:
        link = review_links.open_signing_link(review_id=pk, token=token)
    except review_links.SigningLinkError as error:
        return _link_response(
            render(
                request,
                "portfolio/reviews/review_link_problem.html",
                {"message": str(error)},
                status=error.status,
            )
        )
    review = link.version.review
    version = review_selectors.version_with_details(review, link.version.number)
    seal = reviews.seal_for(version, ReviewParty.EMPLOYER)
    form = LinkSignForm(request.POST or None, initial={"seal": seal})
    if request.method == "POST" and form.is_valid():
        try:
            signature = review_links.sign_with_link(
                review_id=pk, token=token, seen_digest=form.cleaned_data["seal"]
            )
        except review_links.SigningLinkError as error:
            form.add_error(None, str(error))
        except reviews.ReviewError as error:
            form.add_error(None, str(error))
        else:
            return _link_response(
                render(
                    request,
                    "portfolio/reviews/review_link_signed.html",
                    {"review": review, "version": version, "signature": signature},
                )
            )
    return _link_response(
        render(
            request,
            "portfolio/reviews/review_sign_by_link.html",
            {
                "review": review,
                "apprenticeship": review.apprenticeship,
                "version": version,
                "link": link,
                "form": form,
                # Never the wellbeing check-in on this page, whoever holds the link.
                "show_wellbeing": False,
                "signatures": _signature_rows(version),
            },
        )
    )
