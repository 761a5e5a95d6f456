"""The storefront's REST API (DRF): one endpoint per checkout step. See docs/api.md."""
