"""End-point assessment writes, one module per topic: `from epa.services import assessment`.
Reads are in epa/selectors/ and the grading rules in epa/grading.py."""
