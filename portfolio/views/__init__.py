"""Portfolio views, one module per topic."""
