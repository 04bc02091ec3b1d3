"""Bot Framework authentication, the outbound sender and the CloudAdapter, from Settings.

One credentials factory serves both directions: the SDK's inbound checks (`build_authentication`)
and the tokens our `ConnectorSender` signs replies with (`build_sender`). The adapter sends every
activity through that sender (teams/adapter.py); close the sender when the application stops.
"""

from __future__ import annotations

from dataclasses import dataclass

from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
    ConfigurationServiceClientCredentialFactory,
)
from botframework.connector.auth import (
    BotFrameworkAuthentication,
    ServiceClientCredentialsFactory,
)

from bot.errors import on_turn_error
from settings import AppType, Settings
from teams.adapter import TeamsCloudAdapter
from teams.sender import ConnectorSender, RetryPolicy
from teams.tokens import TokenSource

# The SDK's factory of outbound credentials, named here so that app.py need not import the SDK.
CredentialsFactory = ServiceClientCredentialsFactory


@dataclass(frozen=True)
class _SdkConfiguration:
    """The attribute names botbuilder's configuration classes read."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str


def sdk_configuration(settings: Settings) -> _SdkConfiguration:
    # With no app id (local mode) the credentials must be "MultiTenant" with nothing set: that is
    # how botbuilder knows authentication is disabled. SingleTenant would refuse to start.
    app_type = (
        settings.microsoft_app_type if settings.authentication_enabled else AppType.MULTI_TENANT
    )
    return _SdkConfiguration(
        APP_ID=settings.microsoft_app_id,
        APP_PASSWORD=settings.microsoft_app_password.get_secret_value(),
        APP_TYPE=app_type.value,
        APP_TENANTID=settings.microsoft_app_tenant_id,
    )


def build_credentials_factory(
    settings: Settings, credentials_factory: ServiceClientCredentialsFactory | None = None
) -> ServiceClientCredentialsFactory:
    """The factory of outbound credentials: `credentials_factory` (tests), else from Settings."""
    if credentials_factory is not None:
        return credentials_factory
    return ConfigurationServiceClientCredentialFactory(sdk_configuration(settings))


def build_authentication(
    settings: Settings, credentials_factory: ServiceClientCredentialsFactory | None = None
) -> BotFrameworkAuthentication:
    """Inbound token validation and outbound credentials. Tests may pass their own factory."""
    configuration = sdk_configuration(settings)
    factory = build_credentials_factory(settings, credentials_factory)
    return ConfigurationBotFrameworkAuthentication(configuration, credentials_factory=factory)


def build_sender(
    credentials_factory: ServiceClientCredentialsFactory, policy: RetryPolicy | None = None
) -> ConnectorSender:
    """The one sender of every outbound activity, signing with `credentials_factory`'s tokens."""
    return ConnectorSender(TokenSource(credentials_factory), policy)


def build_adapter(
    authentication: BotFrameworkAuthentication, sender: ConnectorSender
) -> CloudAdapter:
    adapter = TeamsCloudAdapter(authentication, sender)
    adapter.on_turn_error = on_turn_error
    return adapter
