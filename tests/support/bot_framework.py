"""Offline Bot Framework authentication for tests: a locally generated signing key.

The bot validates channel tokens against keys published at an OpenID metadata URL
(BOT_OPENID_METADATA_URL, Microsoft's by default). Serving our own public key from a local fake
of that endpoint lets tests mint real RS256 tokens (valid, expired, forged, unknown key) and
exercise the bot's real validation and key fetching without the network.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from typing import Any

import jwt
from aiohttp import web
from botframework.connector.auth import (
    AppCredentials,
    AuthenticationConstants,
    PasswordServiceClientCredentialFactory,
)
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from msrest.authentication import Authentication

TEST_APP_ID = "00000000-1111-2222-3333-444444444444"
TEST_APP_PASSWORD = "test-secret-not-used-for-anything"
TEST_TENANT_ID = "11111111-2222-3333-4444-555555555555"
OUTBOUND_TOKEN = "outbound-token-from-the-test-credentials"
CHANNEL_ISSUER = AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER


class SigningKey:
    """An RSA key pair with a key id, as Microsoft's Bot Framework signing keys have."""

    def __init__(self, kid: str) -> None:
        self.kid = kid
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwk(self, endorsements: list[str]) -> dict[str, Any]:
        public = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        return {**public, "kid": self.kid, "use": "sig", "endorsements": endorsements}

    def token(
        self,
        *,
        service_url: str,
        audience: str = TEST_APP_ID,
        issuer: str = CHANNEL_ISSUER,
        expires_in: int = 3600,
        kid: str | None = None,
    ) -> str:
        now = int(time.time())
        claims = {
            "iss": issuer,
            "aud": audience,
            "serviceurl": service_url,
            "nbf": now - 60,
            "iat": now - 60,
            "exp": now + expires_in,
        }
        return jwt.encode(
            claims, self.private_key, algorithm="RS256", headers={"kid": kid or self.kid}
        )


class MetadataServer:
    """Microsoft's OpenID metadata and signing-key endpoints, faked on a thread of their own.

    A real HTTP server on 127.0.0.1 with its own event loop, as a remote host would be: the bot
    fetches from it exactly as it fetches from login.botframework.com. `keys` may be changed
    while it runs (a key rotation); `hang` makes it accept connections and never answer (the
    sign-in hosts being slow or unreachable); `requests` counts what it was asked.
    """

    def __init__(self, *keys: SigningKey, endorsements: tuple[str, ...] = ("msteams",)) -> None:
        self.keys = list(keys)
        self.endorsements = list(endorsements)
        self.requests = 0
        self._answering = asyncio.Event()
        self._answering.set()
        self.port = 0
        self._ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, daemon=True, name="fake-metadata")

    @property
    def metadata_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/.well-known/openidconfiguration"

    async def _answer(self, body: dict[str, Any]) -> web.Response:
        self.requests += 1
        await self._answering.wait()
        return web.json_response(body)

    @property
    def hang(self) -> bool:
        return not self._answering.is_set()

    @hang.setter
    def hang(self, value: bool) -> None:
        flip = self._answering.clear if value else self._answering.set
        self._loop.call_soon_threadsafe(flip)

    async def _metadata(self, _request: web.Request) -> web.Response:
        return await self._answer({"jwks_uri": f"http://127.0.0.1:{self.port}/v1/keys"})

    async def _keys(self, _request: web.Request) -> web.Response:
        return await self._answer({"keys": [key.jwk(self.endorsements) for key in self.keys]})

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_get("/v1/.well-known/openidconfiguration", self._metadata)
        app.router.add_get("/v1/keys", self._keys)
        runner = web.AppRunner(app, shutdown_timeout=0.1)
        self._loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = runner.addresses[0][1]
        self._ready.set()
        self._loop.run_forever()
        self._answering.set()
        self._loop.run_until_complete(runner.cleanup())

    def __enter__(self) -> MetadataServer:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the fake metadata server did not start")
        return self

    def __exit__(self, *_: object) -> None:
        self.hang = False
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


class Blackhole:
    """A TCP port that accepts connections and never answers: a sign-in host that hangs."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._held: list[socket.socket] = []
        self.connections = 0
        self._stopping = False
        self._thread = threading.Thread(target=self._accept, daemon=True, name="blackhole")

    @property
    def url(self) -> str:
        port = self._socket.getsockname()[1]
        return f"http://127.0.0.1:{port}/v1/.well-known/openidconfiguration"

    def _accept(self) -> None:
        while not self._stopping:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            self.connections += 1
            self._held.append(connection)

    def __enter__(self) -> Blackhole:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stopping = True
        self._socket.close()
        for connection in self._held:
            connection.close()


class _StaticTokenCredentials(AppCredentials):
    """Outbound credentials that sign with a fixed token instead of asking Entra ID."""

    def get_access_token(self, force_refresh: bool = False) -> str:
        return OUTBOUND_TOKEN


class OfflineCredentialsFactory(PasswordServiceClientCredentialFactory):
    """The real app-id checks, with outbound tokens that need no network."""

    def __init__(self) -> None:
        super().__init__(TEST_APP_ID, TEST_APP_PASSWORD, TEST_TENANT_ID)

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> Authentication:
        if not await self.is_valid_app_id(app_id):
            raise PermissionError("Invalid app_id")
        return _StaticTokenCredentials(app_id=app_id, oauth_scope=oauth_scope)
