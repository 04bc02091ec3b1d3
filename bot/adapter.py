"""Bot Framework authentication and the CloudAdapter, configured from Settings."""

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


def build_authentication(
    settings: Settings, credentials_factory: ServiceClientCredentialsFactory | None = None
) -> BotFrameworkAuthentication:
    """Inbound token validation and outbound credentials. Tests may pass their own factory."""
    configuration = sdk_configuration(settings)
    factory = credentials_factory or ConfigurationServiceClientCredentialFactory(configuration)
    return ConfigurationBotFrameworkAuthentication(configuration, credentials_factory=factory)


def build_adapter(authentication: BotFrameworkAuthentication) -> CloudAdapter:
    adapter = CloudAdapter(authentication)
    adapter.on_turn_error = on_turn_error
    return adapter
