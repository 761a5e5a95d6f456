"""Amazon's numbers and the sandbox buyer: timers, limits, wallet catalogue, default addresses.

Data only, each value with the spec section it comes from.
"""

from __future__ import annotations

from datetime import timedelta

ORO_LIFETIME = timedelta(days=180)  # spec 3.6: ExpirationTimestamp = creation + 180 d
DRAFT_LIFETIME = timedelta(hours=3)  # spec 3.6: Draft -> Canceled/Stale
AUTH_LIFETIME = timedelta(days=30)  # spec 3.6: ExpirationTimestamp = creation + 30 d, also sandbox
AUTH_EXPIRY = {"Sandbox": timedelta(days=2), "Live": timedelta(days=30)}  # spec 3.6
SYNC_CAPTURE_WINDOW = timedelta(days=7)  # spec 2.4 Capture: later captures are Pending
IMMEDIATE_AUTHORIZATION_WINDOW = timedelta(minutes=60)  # spec 2.4 ConfirmOrderReference

MAX_AUTHORIZATIONS = 10  # spec 3.7 (10, not the guide's 25)
MAX_CAPTURED_AUTHORIZATIONS = 10  # spec 3.1 MaxAuthorizationsCaptured
MAX_REFUNDS_PER_CAPTURE = 10  # spec 3.7

#: reason codes an authorization can be declined with (spec 3.3)
DECLINE_REASONS = (
    "InvalidPaymentMethod",
    "AmazonRejected",
    "TransactionTimedOut",
    "ProcessingFailure",
)

#: the wallet widget's choices; the decline ones play the role of the docs' `*` test methods
#: (spec 5 last paragraph). ProcessingFailure has no documented trigger (spec: unconfirmed).
PAYMENT_METHODS: tuple[dict, ...] = (
    {"id": "visa-1111", "label": "Visa ****1111", "outcome": None, "soft_decline": False},
    {"id": "jcb-3333", "label": "JCB ****3333", "outcome": None, "soft_decline": False},
    {
        "id": "decline-invalid-payment-method",
        "label": "Visa ****0001 (declines: InvalidPaymentMethod, soft)",
        "outcome": "InvalidPaymentMethod",
        "soft_decline": True,
    },
    {
        "id": "decline-invalid-payment-method-hard",
        "label": "Visa ****0002 (declines: InvalidPaymentMethod, hard)",
        "outcome": "InvalidPaymentMethod",
        "soft_decline": False,
    },
    {
        "id": "decline-amazon-rejected",
        "label": "Visa ****0003 (declines: AmazonRejected)",
        "outcome": "AmazonRejected",
        "soft_decline": False,
    },
    {
        "id": "decline-transaction-timed-out",
        "label": "Visa ****0004 (declines: TransactionTimedOut)",
        "outcome": "TransactionTimedOut",
        "soft_decline": False,
    },
    {
        "id": "decline-processing-failure",
        "label": "Visa ****0005 (declines: ProcessingFailure)",
        "outcome": "ProcessingFailure",
        "soft_decline": False,
    },
    {
        "id": "not-allowed",
        "label": "Visa ****0006 (constraint: PaymentMethodNotAllowed)",
        "outcome": "PaymentMethodNotAllowed",
        "soft_decline": False,
    },
)
PAYMENT_METHODS_BY_ID = {m["id"]: m for m in PAYMENT_METHODS}

#: default sandbox buyer per region; JP exactly as seed 000
DEFAULT_BUYERS: dict[str, dict[str, str]] = {
    "jp": {"Name": "吉田一郎", "Email": "gmail+sandbox@gmail.com"},
    "us": {"Name": "Susie Smith", "Email": "susie.smith@example.com"},
    "uk": {"Name": "Elizabeth Bennet", "Email": "elizabeth.bennet@example.co.uk"},
    "de": {"Name": "Max Mustermann", "Email": "max.mustermann@example.de"},
}
DEFAULT_ADDRESSES: dict[str, dict[str, str]] = {
    "jp": {
        "Name": "吉田一郎",
        "AddressLine1": "渋谷区神宮前2-2-2",
        "StateOrRegion": "東京都",
        "PostalCode": "1500001",
        "CountryCode": "JP",
        "Phone": "03-3333-4444",
    },
    "us": {
        "Name": "Susie Smith",
        "AddressLine1": "10 Ditka Ave",
        "AddressLine2": "Suite 2500",
        "City": "Chicago",
        "StateOrRegion": "IL",
        "PostalCode": "60602",
        "CountryCode": "US",
        "Phone": "800-000-0000",
    },
    "uk": {
        "Name": "Elizabeth Bennet",
        "AddressLine1": "1 Longbourn Lane",
        "City": "London",
        "PostalCode": "SW1A 1AA",
        "CountryCode": "GB",
        "Phone": "020 7946 0000",
    },
    "de": {
        "Name": "Max Mustermann",
        "AddressLine1": "Musterstraße 1",
        "City": "Berlin",
        "PostalCode": "10115",
        "CountryCode": "DE",
        "Phone": "030 000000",
    },
}

#: what GetOrderReferenceDetails shows of the address in Draft without an access token
#: (spec 2.3 Destination, seed 000). EU: assumed like US (spec: unconfirmed).
COARSE_ADDRESS_FIELDS: dict[str, tuple[str, ...]] = {
    "jp": ("StateOrRegion", "PostalCode", "CountryCode"),
    "us": ("City", "StateOrRegion", "PostalCode", "CountryCode"),
    "uk": ("City", "StateOrRegion", "PostalCode", "CountryCode"),
    "de": ("City", "StateOrRegion", "PostalCode", "CountryCode"),
}
