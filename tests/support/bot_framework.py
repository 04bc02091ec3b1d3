"""Offline Bot Framework authentication for tests: a locally generated signing key.

botbuilder validates channel tokens against keys from Microsoft's OpenID metadata, cached per URL
in `JwtTokenExtractor.metadataCache`. Seeding that cache with our own public key lets tests mint
real RS256 tokens (valid, expired, forged, unknown key) and exercise the SDK's real validation
code without the network (DESIGN.md 4.5).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import jwt
from botframework.connector.auth import (
    AppCredentials,
    AuthenticationConstants,
    PasswordServiceClientCredentialFactory,
)
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor, _OpenIdMetadata
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


@contextmanager
def trusted_signing_key(key: SigningKey) -> Iterator[None]:
    """Make the SDK trust `key` for channel tokens, as if Microsoft had published it."""
    url = AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
    metadata = _OpenIdMetadata(url)
    metadata.keys = [key.jwk(endorsements=["msteams"])]
    metadata.last_updated = datetime.now()  # noqa: DTZ005 - the SDK compares naive local times
    previous = JwtTokenExtractor.metadataCache.get(url)
    JwtTokenExtractor.metadataCache[url] = metadata
    try:
        yield
    finally:
        if previous is None:
            JwtTokenExtractor.metadataCache.pop(url, None)
        else:
            JwtTokenExtractor.metadataCache[url] = previous


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
