"""What changes standards: importing a file (imports.py) and the facts an operator enters
while the official value is not loaded (facts.py). Reads are in standards/selectors.py."""
