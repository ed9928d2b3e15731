"""Off-the-job training's domain error."""


class OtjError(Exception):
    """An off-the-job change the rules do not allow; the message says why, plainly."""
