"""A small OpenID Connect provider on loopback for the single sign-on tests: a real HTTP server
(authorize, token, userinfo, JWKS) signing its ID tokens with a freshly generated RSA key."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID, CLIENT_SECRET = "healthscore", "stub-secret"


@dataclass
class Provider:
    """Who signs in next (`identity`: claims), and what the server saw (`requests`)."""

    base_url: str = ""
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    identity: dict = field(default_factory=dict)
    audience: str = CLIENT_ID
    codes: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    requests: list = field(default_factory=list)

    def settings(self) -> dict:
        return {
            "SSO_ENABLED": True,
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.base_url}/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.base_url}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.base_url}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.base_url}/jwks",
            "OIDC_OP_ISSUER": self.base_url,
        }

    def id_token(self, claims: dict, nonce: str) -> str:
        now = int(time.time())
        payload = {"iss": self.base_url, "aud": self.audience, "iat": now, "exp": now + 300, "nonce": nonce, **claims}
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": "stub-key"})

    def jwks(self) -> dict:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": "stub-key", "alg": "RS256", "use": "sig"}]}


def _handler(provider: Provider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _json(self, status: int, body: dict):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urlparse(self.path)
            provider.requests.append(("GET", url.path))
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/authorize":
                # The person "logs in" at the provider: a code for the next identity, then back.
                code = secrets.token_urlsafe(16)
                provider.codes[code] = {"claims": dict(provider.identity), **query}
                self.send_response(302)
                self.send_header(
                    "Location", f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
                )
                self.end_headers()
            elif url.path == "/jwks":
                self._json(200, provider.jwks())
            elif url.path == "/userinfo":
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                claims = provider.tokens.get(token)
                self._json(200, claims) if claims else self._json(401, {"error": "invalid_token"})
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self):
            url = urlparse(self.path)
            provider.requests.append(("POST", url.path))
            body = {k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()}
            if url.path != "/token":
                return self._json(404, {"error": "not_found"})
            grant = provider.codes.pop(body.get("code"), None)
            if grant is None or (body.get("client_id"), body.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
                return self._json(400, {"error": "invalid_grant"})
            if body.get("redirect_uri") != grant["redirect_uri"]:
                return self._json(400, {"error": "invalid_grant", "error_description": "redirect_uri"})
            verifier = body.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if challenge != grant.get("code_challenge"):
                return self._json(400, {"error": "invalid_grant", "error_description": "PKCE"})
            access = secrets.token_urlsafe(16)
            provider.tokens[access] = grant["claims"]
            id_claims = {"sub": grant["claims"]["sub"], "groups": grant["claims"].get("groups", [])}
            self._json(
                200,
                {
                    "access_token": access,
                    "token_type": "Bearer",
                    "id_token": provider.id_token(id_claims, grant["nonce"]),
                },
            )

    return Handler


class running_provider:
    """`with running_provider() as provider:` serves on 127.0.0.1 on a free port until the block ends."""

    def __enter__(self) -> Provider:
        self.provider = Provider()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.provider))
        self.provider.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self.provider

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
