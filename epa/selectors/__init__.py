"""End-point assessment reads, one module per topic: `from epa.selectors import gateway`.
Nothing here writes; the services (epa/services/) import from here, never the other way."""
