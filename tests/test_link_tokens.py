"""One rule for the tokens of single-use emailed links, kept as the hashes stored so far."""

import hashlib

from config.link_tokens import LinkTokens
from portfolio.evidence.services import testimony_requests
from portfolio.reviews.services import links
from quality.services import auditors


def test_the_stored_hash_names_its_purpose():
    expected = hashlib.sha256(b"peerfolio review signing link:abc").hexdigest()
    assert links.token_hash("abc") == expected


def test_a_token_of_one_kind_of_link_opens_no_other_kind():
    salt = "same-salt"
    tokens = {
        links.token_for(salt),
        testimony_requests.token_for(salt),
        auditors.token_for(salt),
    }
    assert len(tokens) == 3
    assert LinkTokens("testimony link").token(salt) == testimony_requests.token_for(salt)
    hashes = {links.token_hash("t"), testimony_requests.token_hash("t"), auditors.token_hash("t")}
    assert len(hashes) == 3
