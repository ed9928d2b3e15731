"""The outbox timings of the fault tests: short, so recovery fits in seconds. The worker
gets them from its environment (config/settings/base.py reads them), the test process from
the settings fixture."""

TIMINGS = {
    "OUTBOX_SWEEP_SECONDS": 1,
    "OUTBOX_RESEND_AFTER_SECONDS": 4,
    "OUTBOX_STALE_AFTER_SECONDS": 3,
    "OUTBOX_RETRY_SECONDS": 1,
    "OUTBOX_UNKNOWN_OUTCOME_SECONDS": 4,
    "EMAIL_TIMEOUT": 2,
}
