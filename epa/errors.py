class EpaError(Exception):
    """A change to the gateway or the end-point assessment that the rules do not allow.
    The message says why, in plain words, and nothing has changed."""
