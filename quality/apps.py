from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = "Quality assurance"

    def ready(self) -> None:
        # The assessment asks, as it confirms a result, whether moderation holds it back
        # (epa/release.py); the assessment never imports this app.
        from apprenticeship.history import register_hidden_events
        from epa import release
        from quality.iqa.access import hidden_iqa_events
        from quality.services import moderation

        release.register_hold(moderation.hold_for_moderation)
        # Internal quality assurance lines in an apprenticeship's history are for staff.
        register_hidden_events(hidden_iqa_events)
