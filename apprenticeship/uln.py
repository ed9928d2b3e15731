"""The unique learner number (ULN): ten digits, the first not zero, the last a check digit.

The check, as the Learning Records Service publishes it (and HESA's ULN field repeats):
multiply the ten digits by 10, 9, 8, ..., 1 and add them up; the remainder on dividing by
11 must be 10. For example 9276308686 gives 296, remainder 10.
"""

WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2, 1)


def uln_problem(uln: str) -> str:
    """Why `uln` is not a valid unique learner number ('' when it is)."""
    if len(uln) != 10 or not uln.isdigit():
        return "A unique learner number has 10 digits."
    if uln[0] == "0":
        return "A unique learner number does not start with 0."
    if sum(int(d) * w for d, w in zip(uln, WEIGHTS, strict=True)) % 11 != 10:
        return "This unique learner number fails its check digit: a digit is probably wrong."
    return ""
