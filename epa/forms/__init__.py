"""End-point assessment forms, one module per topic."""
