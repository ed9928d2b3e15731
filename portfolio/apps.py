from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "portfolio"

    def ready(self) -> None:
        from apprenticeship.history import register_hidden_events
        from portfolio.evidence.access import hidden_evidence_events

        register_hidden_events(hidden_evidence_events)
