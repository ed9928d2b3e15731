"""End-point assessment services, one module per topic."""
