"""A stand-in for a Supabase project's auth API on loopback: real HTTP, tokens signed as Supabase signs them
(HS256 with the project's JWT secret, RS256 and ES256 with keys published in its JWKS)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long"
ANON_KEY = "anon-key-of-the-test-project"


class FakeSupabase:
    """`/auth/v1/.well-known/jwks.json` and `POST /auth/v1/token?grant_type=password` on 127.0.0.1."""

    def __init__(self) -> None:
        self.users: dict[str, str] = {}  # email -> password
        self.algorithm = "HS256"  # how the token endpoint signs
        self.lifetime_s = 3600
        self.keys = {"rsa-1": rsa.generate_private_key(public_exponent=65537, key_size=2048),
                     "ec-1": ec.generate_private_key(ec.SECP256R1())}
        jwks = {"keys": [
            {**jwt.algorithms.RSAAlgorithm.to_jwk(self.keys["rsa-1"].public_key(), as_dict=True),
             "kid": "rsa-1", "alg": "RS256", "use": "sig"},
            {**jwt.algorithms.ECAlgorithm.to_jwk(self.keys["ec-1"].public_key(), as_dict=True),
             "kid": "ec-1", "alg": "ES256", "use": "sig"},
        ]}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Access-Control-Allow-Origin", "*")  # as Supabase answers browsers
                self.end_headers()
                self.wfile.write(data)

            def do_OPTIONS(self) -> None:  # the browser's CORS preflight
                self.send_response(204)
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Access-Control-Allow-Methods", "POST")
                self.send_header("Access-Control-Allow-Headers", "apikey, authorization, content-type")
                self.end_headers()

            def do_GET(self) -> None:
                if self.path == "/auth/v1/.well-known/jwks.json":
                    return self._send(200, jwks)
                self._send(404, {"message": "not found"})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                if self.path != "/auth/v1/token?grant_type=password" or self.headers.get("apikey") != ANON_KEY:
                    return self._send(401, {"message": "Invalid API key"})
                if fake.users.get(body.get("email")) != body.get("password"):
                    return self._send(400, {"error": "invalid_grant", "error_description": "Invalid login credentials"})
                self._send(200, {"access_token": fake.token(body["email"]), "token_type": "bearer",
                                 "expires_in": fake.lifetime_s})

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token(self, email: str, *, algorithm: str | None = None, lifetime_s: float | None = None,
              secret: str | None = None, **claims: Any) -> str:
        """An access token for `email`, with the claims Supabase puts in one."""
        now = int(time.time())
        payload = {"iss": f"{self.url}/auth/v1", "aud": "authenticated", "sub": f"user-{email}", "email": email,
                   "role": "authenticated", "iat": now, "exp": now + int(lifetime_s or self.lifetime_s),
                   "app_metadata": {"provider": "email"}, "user_metadata": {}, **claims}
        algorithm = algorithm or self.algorithm
        if algorithm == "HS256":
            return jwt.encode(payload, secret or JWT_SECRET, algorithm="HS256")
        kid = "rsa-1" if algorithm == "RS256" else "ec-1"
        return jwt.encode(payload, self.keys[kid], algorithm=algorithm, headers={"kid": kid})

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
