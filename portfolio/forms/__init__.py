"""Portfolio forms, one module per topic: `from portfolio.forms import evidence`."""
