"""Portfolio services, one module per topic: `from portfolio.services import evidence`."""
