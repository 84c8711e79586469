"""Payment request text: bare address, flux: URI (SSP keeps the address), Zelcore link."""

import re

from wallet.payuri import payment_uri, zelcore_link

ADDRESS = "t1eabPBaLCqNgttQMnAoohPaQM6u2vFwTNJ"


def test_bare_address_when_nothing_is_asked() -> None:
    assert payment_uri(ADDRESS) == ADDRESS
    assert payment_uri(ADDRESS, 0, "  ") == ADDRESS


def test_flux_uri_with_amount_and_encoded_message() -> None:
    uri = payment_uri(ADDRESS, 1_250_000_000_00, "rent & june?")
    assert uri == f"flux:{ADDRESS}?amount=1250&message=rent%20%26%20june%3F"
    # What SSP's scanner does with a scanned URI: the address portion only.
    found = re.match(r"^[a-zA-Z]+:([^@?]+)", uri)
    assert found is not None and found.group(1) == ADDRESS


def test_zelcore_link_form() -> None:
    link = zelcore_link(ADDRESS, 150_000_000, "hi")
    assert link == f"zel:?action=pay&coin=zelcash&address={ADDRESS}&amount=1.5&message=hi"
