"""Every kind of event the history records, in one place: grep for a member to find where
it happens. The values are what is stored in `AuditEvent.action`."""

from enum import StrEnum


class AuditAction(StrEnum):
    # adjustment
    ADJUSTMENT_DECIDED = "adjustment.decided"
    ADJUSTMENT_PASSED = "adjustment.passed"
    ADJUSTMENT_REQUESTED = "adjustment.requested"
    # auditor access (quality)
    AUDITOR_ACCESS_ACCEPTED = "auditor.accepted"
    AUDITOR_ACCESS_GRANTED = "auditor.granted"
    AUDITOR_ACCESS_REVOKED = "auditor.revoked"
    AUDITOR_READ = "auditor.read"
    # apprenticeship
    APPRENTICESHIP_CREATED = "apprenticeship.created"
    APPRENTICESHIP_STANDARD_VERSION_MOVED = "apprenticeship.standard_version_moved"
    APPRENTICESHIP_STATUS_CHANGED = "apprenticeship.status_changed"
    APPRENTICESHIP_UPDATED = "apprenticeship.updated"
    # break
    BREAK_CANCELLED = "break.cancelled"
    BREAK_CHANGED = "break.changed"
    BREAK_RECORDED = "break.recorded"
    # crosswalk (the provider's mapping of duties to framework units)
    CROSSWALK_CHANGED = "crosswalk.changed"
    CROSSWALK_STARTED = "crosswalk.started"
    # duty
    DUTY_SIGN_OFF_WITHDRAWN = "duty.sign_off_withdrawn"
    DUTY_SIGNED_OFF = "duty.signed_off"
    # enrolment import
    ENROLMENT_IMPORT_COMMITTED = "enrolment_import.committed"
    ENROLMENT_IMPORT_QUEUED = "enrolment_import.queued"
    ENROLMENT_IMPORT_UPLOADED = "enrolment_import.uploaded"
    # epa
    EPA_APPEAL_DECIDED = "epa.appeal_decided"
    EPA_APPEAL_RECORDED = "epa.appeal_recorded"
    EPA_ASSESSOR_ASSIGNED = "epa.assessor_assigned"
    EPA_EXCEPTIONAL_CIRCUMSTANCES = "epa.exceptional_circumstances"
    EPA_KSB_NOTE_SAVED = "epa.ksb_note_saved"
    EPA_METHOD_GRADED = "epa.method_graded"
    EPA_NO_CONFLICT_DECLARED = "epa.no_conflict_declared"
    EPA_QUESTION_CHANGED = "epa.question_changed"
    EPA_QUESTION_RECORDED = "epa.question_recorded"
    EPA_RESIT_POLICY_RECORDED = "epa.resit_policy_recorded"
    EPA_RESULT_CONFIRMED = "epa.result_confirmed"
    EPA_RESULT_HELD = "epa.result_held"
    EPA_RESULT_RELEASED = "epa.result_released"
    EPA_RESULT_RETURNED = "epa.result_returned"
    EPA_ROUND_STARTED = "epa.round_started"
    EPA_SESSION_CHANGED = "epa.session_changed"
    EPA_SESSION_RECORDED = "epa.session_recorded"
    EPA_SNAPSHOT_READ = "epa.snapshot_read"
    EPA_CERTIFICATE_REQUESTED = "epa.certificate_requested"
    EPA_SESSION_BOOKED = "epa.session_booked"
    EPA_REARRANGE_REQUESTED = "epa.rearrange_requested"
    # evidence
    EVIDENCE_ACCEPTED = "evidence.accepted"
    EVIDENCE_CREATED = "evidence.created"
    EVIDENCE_EMPLOYER_VISIBILITY = "evidence.employer_visibility"
    EVIDENCE_FILE_REMOVED = "evidence.file_removed"
    EVIDENCE_FILES_ADDED = "evidence.files_added"
    EVIDENCE_NEW_VERSION = "evidence.new_version"
    EVIDENCE_REFERRED = "evidence.referred"
    EVIDENCE_SUBMITTED = "evidence.submitted"
    EVIDENCE_TAKEN_BACK = "evidence.taken_back"
    # framework
    EVIDENCE_FRAMEWORK_UNITS = "evidence.framework_units"
    FRAMEWORK_TURNED_OFF = "framework.turned_off"
    FRAMEWORK_TURNED_ON = "framework.turned_on"
    # gateway
    GATEWAY_DECLARED_EMPLOYER = "gateway.declared.employer"
    GATEWAY_DECLARED_PROVIDER = "gateway.declared.provider"
    GATEWAY_ENGLISH_MATHS = "gateway.english_maths"
    GATEWAY_PASSED = "gateway.passed"
    GATEWAY_POLICY_CHANGED = "gateway.policy_changed"
    GATEWAY_WITHDRAWN_EMPLOYER = "gateway.withdrawn.employer"
    GATEWAY_WITHDRAWN_PROVIDER = "gateway.withdrawn.provider"
    # interim off-the-job minimum
    INTERIM_OTJ_MINIMUM_REMOVED = "interim_otj_minimum.removed"
    INTERIM_OTJ_MINIMUM_SET = "interim_otj_minimum.set"
    # legal hold
    LEGAL_HOLD_LIFTED = "legal_hold.lifted"
    LEGAL_HOLD_PLACED = "legal_hold.placed"
    # membership
    MEMBERSHIP_ADDED = "membership.added"
    MEMBERSHIP_ENDED = "membership.ended"
    # organisation
    ORGANISATION_CREATED = "organisation.created"
    ORGANISATION_INVITATION_ACCEPTED = "organisation.invitation_accepted"
    ORGANISATION_INVITATION_DECLINED = "organisation.invitation_declined"
    ORGANISATION_INVITATION_SENT = "organisation.invitation_sent"
    ORGANISATION_RENAMED = "organisation.renamed"
    ORGANISATION_SUPERVISION_INTERVAL = "organisation.supervision_interval"
    # otj
    OTJ_CHANGED = "otj.changed"
    OTJ_LOGGED = "otj.logged"
    OTJ_NEW_VERSION = "otj.new_version"
    OTJ_REJECTED = "otj.rejected"
    OTJ_REQUIREMENT_CHANGED = "otj.requirement_changed"
    OTJ_SCHEDULE_CHANGED = "otj.schedule_changed"
    OTJ_SPLIT_CHANGED = "otj.split_changed"
    OTJ_VERIFIED = "otj.verified"
    # internal quality assurance
    IQA_DRAWN = "iqa.drawn"
    IQA_FOLLOWED_UP = "iqa.followed_up"
    IQA_ITEM_ADDED = "iqa.item_added"
    IQA_LEADS_NAMED = "iqa.leads_named"
    IQA_PLAN_MADE = "iqa.plan_made"
    IQA_VERDICT = "iqa.verdict"
    # moderation
    MODERATION_CONFIRMED = "moderation.confirmed"
    MODERATION_POLICY_SET = "moderation.policy_set"
    MODERATION_RETURNED = "moderation.returned"
    MODERATION_SAMPLED = "moderation.sampled"
    MODERATORS_NAMED = "moderation.moderators_named"
    # outbox
    OUTBOX_RETRIED = "outbox.retried"
    # person
    PERSON_ADDED = "person.added"
    PERSON_INVITATION_RESENT = "person.invitation_resent"
    PERSON_INVITED = "person.invited"
    PERSON_TWO_FACTOR_RESET = "person.two_factor_reset"
    # report
    REPORT_REQUESTED = "report.requested"
    # retention
    RETENTION_APPLIED = "retention.applied"
    RETENTION_POLICY_SET = "retention.policy_set"
    # review
    REVIEW_CANCELLED = "review.cancelled"
    REVIEW_EDITED = "review.edited"
    REVIEW_INTERVAL_AGREED = "review.interval_agreed"
    REVIEW_INTERVAL_ENDED = "review.interval_ended"
    REVIEW_LINK_SENT = "review.link_sent"
    REVIEW_NEW_VERSION = "review.new_version"
    REVIEW_RECORDED = "review.recorded"
    REVIEW_RESCHEDULED = "review.rescheduled"
    REVIEW_SCHEDULED = "review.scheduled"
    REVIEW_SIGNED = "review.signed"
    REVIEW_SIGNED_BY_EVERYONE = "review.signed_by_everyone"
    # standard
    STANDARD_IMPORTED = "standard.imported"
    STANDARD_OTJ_MINIMUM_ENTERED = "standard.otj_minimum_entered"
    # supervision
    SUPERVISION_LOGGED_AS_OTJ = "supervision.logged_as_otj"
    SUPERVISION_RECORDED = "supervision.recorded"
    SUPERVISION_SHARING_CHANGED = "supervision.sharing_changed"
    SUPERVISION_USED_AS_EVIDENCE = "supervision.used_as_evidence"
    # subject access
    SUBJECT_ACCESS_REQUESTED = "subject_access.requested"
    # testimony
    TESTIMONY_REQUEST_WITHDRAWN = "testimony.request_withdrawn"
    TESTIMONY_REQUESTED = "testimony.requested"
    TESTIMONY_WRITTEN = "testimony.written"
    # wellbeing plan
    WELLBEING_PLAN_SAVED = "wellbeing_plan.saved"
    WELLBEING_SECTION_SHARED = "wellbeing_plan.section_shared"
    WELLBEING_SECTION_WITHDRAWN = "wellbeing_plan.section_withdrawn"


GATEWAY_DECLARED = {
    "employer": AuditAction.GATEWAY_DECLARED_EMPLOYER,
    "provider": AuditAction.GATEWAY_DECLARED_PROVIDER,
}
GATEWAY_WITHDRAWN = {
    "employer": AuditAction.GATEWAY_WITHDRAWN_EMPLOYER,
    "provider": AuditAction.GATEWAY_WITHDRAWN_PROVIDER,
}
OTJ_DECIDED = {"verified": AuditAction.OTJ_VERIFIED, "rejected": AuditAction.OTJ_REJECTED}
