"""The unique learner number (ULN) and its check digit.

The rule, as the Learning Records Service publishes it (and as the ESFA's ILR validation
rule ULN_04, "The Unique learner number does not pass the checksum calculation", applies
it): a ULN is 10 digits, the first not zero; multiply the digits by the weights 10, 9, 8,
7, 6, 5, 4, 3, 2 and 1, add the products and divide by 11; the remainder must be 10.
For example 9276308686: 90+18+56+42+18+0+32+18+16+6 = 296, and 296 = 26 x 11 + 10.
Put the other way round: the check digit is 10 less the remainder of the first nine
weighted digits, and a number whose first nine leave remainder 0 is never issued.
Sources: HESA's ULN field definition (student record, C17051) and the ESFA's "Submit
learner data" validation rule ULN_04.
"""

WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2, 1)


def uln_problem(uln: str) -> str | None:
    """What is wrong with `uln` as a unique learner number, in plain words, or None."""
    if len(uln) != 10 or not uln.isdigit():
        return "A unique learner number is 10 digits."
    if uln[0] == "0":
        return "A unique learner number never starts with 0."
    total = sum(int(digit) * weight for digit, weight in zip(uln, WEIGHTS, strict=True))
    if total % 11 != 10:
        return (
            "This is not a valid unique learner number: its last digit does not match the "
            "others. Check each digit against the learner's record."
        )
    return None
