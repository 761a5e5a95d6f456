"""Amazon Pay (MWS OffAmazonPayments) checkout for Django, with an embedded simulator."""

__version__ = "0.1.0"
