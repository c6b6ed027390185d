"""Names and values the end-to-end suite shares (kept out of conftest.py so tests can import them safely)."""
from support import ROOT

CATALOG = ROOT / "policies" / "catalog.yaml"
GENERATED = ROOT / "policies" / "generated"
CATALOG_ISSUER = "https://acme.okta.com/oauth2/default"
GATEWAY_CLIENT_ID = "genai-gateway"
INBOUND_AUDIENCE = "acme-genai-apps"
REGION = "us-east-1"

# Callers and their IdP groups (policies/catalog.yaml names the groups each use case requires).
CALLERS = {
    "alice": ["genai-usecase-a"],
    "bob": ["genai-usecase-b"],
    "admin": ["genai-admins"],
    "marketer": ["genai-marketing", "genai-social"],
    "eve": ["genai-unrelated", "everyone"],
}
