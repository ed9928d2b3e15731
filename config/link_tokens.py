"""The tokens of single-use emailed links (a review to sign, a testimony to write, an
auditor's invitation): one rule for all of them.

The database keeps only a token's hash. The token itself is rebuilt from a random salt
kept with the queued email, keyed with SECRET_KEY, so it is only ever in the email. Each
kind of link names its purpose, so a token of one kind never opens another.
"""

import base64
import hashlib
from dataclasses import dataclass

from django.utils.crypto import salted_hmac


@dataclass(frozen=True)
class LinkTokens:
    purpose: str  # for example "review signing link"

    def hash(self, token: str) -> str:
        """What is stored for a token: its SHA-256, with a prefix naming the purpose."""
        return hashlib.sha256(f"peerfolio {self.purpose}:{token}".encode()).hexdigest()

    def token(self, salt: str) -> str:
        """The token of the link made with `salt`: a keyed hash with SECRET_KEY."""
        digest = salted_hmac(f"peerfolio {self.purpose} token", salt, algorithm="sha256")
        return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()
