#!/usr/bin/env python3
"""The end-to-end suite's OIDC issuer, run standalone for bench/load.sh.

Serves JWKS and the client-credentials token endpoint on a free loopback port, mints one caller token for `alice`
(IdP group genai-usecase-a, so use case UseCaseA admits her) and writes everything the gateway and the load
generator need to --out as JSON. Runs until SIGTERM.
"""
import argparse
import json
import pathlib
import secrets
import signal
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "Tests" / "integration"))

from e2e_config import CALLERS, CATALOG_ISSUER, GATEWAY_CLIENT_ID, INBOUND_AUDIENCE  # noqa: E402
from oidc_issuer import OIDCIssuer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True, help="where to write the issuer's URLs, client and caller token")
    parser.add_argument("--lifetime", type=int, default=4 * 3600, help="caller token lifetime in seconds")
    args = parser.parse_args()

    issuer = OIDCIssuer(CATALOG_ISSUER, GATEWAY_CLIENT_ID, secrets.token_urlsafe(24))
    token = issuer.mint(sub="alice@acme.example", groups=CALLERS["alice"], aud=INBOUND_AUDIENCE,
                        lifetime=args.lifetime)
    out = pathlib.Path(args.out)
    out.write_text(json.dumps({
        "jwks_url": issuer.jwks_url,
        "token_url": issuer.token_url,
        "client_id": issuer.client_id,
        "client_secret": issuer.client_secret,
        "caller_token": token,
    }))
    out.chmod(0o600)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    issuer.server.serve_forever()


if __name__ == "__main__":
    main()
