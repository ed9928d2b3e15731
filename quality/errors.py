class QualityError(Exception):
    """A quality assurance step refused, with the reason in plain words."""
