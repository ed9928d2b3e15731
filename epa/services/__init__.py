"""End-point assessment services, one module per topic: `from epa.services import assessment`."""
