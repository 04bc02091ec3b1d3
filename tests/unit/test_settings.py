"""Configuration: the conventional Bot Framework names, local mode, and refusing half a setup."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
from pydantic import ValidationError

from domain.model import LscpArea
from settings import AppType, Settings

# Settings must not read a developer's .env file during tests.
NO_ENV_FILE: dict[str, Any] = {"_env_file": None}
APP_ENV = ("MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppType", "MicrosoftAppTenantId")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*APP_ENV, "BOT_LOCAL_MODE", "ALLOWED_TENANT_IDS", "DATABASE_URL", "BOT_HOST"):
        monkeypatch.delenv(name, raising=False)


def test_without_an_app_id_the_bot_refuses_to_start_and_says_how_to_try_it_locally() -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(**NO_ENV_FILE)
    assert "BOT_LOCAL_MODE=true" in str(raised.value)


def test_local_mode_disables_authentication_and_listens_on_loopback_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BOT_LOCAL_MODE", "true")

    settings = Settings(**NO_ENV_FILE)

    assert not settings.authentication_enabled
    assert settings.bind_host == "127.0.0.1"
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.should_migrate_on_start


def test_bot_framework_names_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MicrosoftAppId", "app-id")
    monkeypatch.setenv("MicrosoftAppPassword", "secret")
    monkeypatch.setenv("MicrosoftAppTenantId", "tenant")
    monkeypatch.setenv("ALLOWED_TENANT_IDS", "tenant-a, tenant-b,,")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://bot@db/bot")

    settings = Settings(**NO_ENV_FILE)

    assert settings.microsoft_app_id == "app-id"
    assert settings.microsoft_app_type is AppType.SINGLE_TENANT
    assert settings.microsoft_app_password.get_secret_value() == "secret"
    assert "secret" not in repr(settings)
    assert settings.allowed_tenant_ids == frozenset({"tenant-a", "tenant-b"})
    assert settings.authentication_enabled
    assert settings.bind_host == "0.0.0.0"
    assert not settings.should_migrate_on_start  # PostgreSQL is migrated by the documented command


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("MicrosoftAppPassword", "set MicrosoftAppPassword"),
        ("MicrosoftAppTenantId", "set MicrosoftAppTenantId"),
    ],
)
def test_single_tenant_needs_its_password_and_tenant(
    monkeypatch: pytest.MonkeyPatch, missing: str, message: str
) -> None:
    values = {
        "MicrosoftAppId": "app-id",
        "MicrosoftAppPassword": "secret",
        "MicrosoftAppTenantId": "tenant",
    }
    for name, value in values.items():
        if name != missing:
            monkeypatch.setenv(name, value)

    with pytest.raises(ValidationError, match=message):
        Settings(**NO_ENV_FILE)


def test_an_unknown_time_zone_is_refused_by_name() -> None:
    with pytest.raises(ValidationError, match="Mars/Olympus_Mons"):
        Settings(**NO_ENV_FILE, local_mode=True, timezone="Mars/Olympus_Mons")


def test_every_lscp_area_has_the_contact_published_in_the_procedure() -> None:
    settings = Settings(**NO_ENV_FILE, local_mode=True)

    emails = {area: contact.email for area, contact in settings.lscp_contacts.items()}
    assert emails == {
        LscpArea.HAMPSHIRE: "hscp@hants.gov.uk",
        LscpArea.ISLE_OF_WIGHT: "scp@iow.gov.uk",
        LscpArea.PORTSMOUTH: "pscp@portsmouth.gov.uk",
        LscpArea.SOUTHAMPTON: "Safeguarding.partnershipsteam@southampton.gov.uk",
    }


def test_lscp_contacts_can_be_configured_but_not_left_incomplete(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LSCP_CONTACTS", '{"hampshire": {"name": "H", "email": "h@example.org"}}')

    with pytest.raises(ValidationError, match="Isle of Wight, Portsmouth, Southampton"):
        Settings(**NO_ENV_FILE, local_mode=True)


def test_the_procedure_policy_follows_the_configured_timescales() -> None:
    settings = Settings(
        **NO_ENV_FILE, local_mode=True, working_days_per_stage=3, reminder_time=time(8, 30)
    )

    policy = settings.procedure_policy()

    assert policy.working_days_per_stage == 3
    assert policy.reminder_time == time(8, 30)
    assert policy.calendar.add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)


def test_urgent_timescales_cannot_be_slower_than_ordinary_ones() -> None:
    with pytest.raises(ValidationError, match="URGENT_WORKING_DAYS"):
        Settings(**NO_ENV_FILE, local_mode=True, working_days_per_stage=2, urgent_working_days=3)


def test_only_teams_is_served_with_an_app_id_and_the_playground_channels_locally(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    authenticated = Settings(
        **NO_ENV_FILE,
        MicrosoftAppId="app",
        MicrosoftAppPassword="secret",
        MicrosoftAppTenantId="tenant",
    )
    monkeypatch.setenv("BOT_LOCAL_MODE", "true")
    local = Settings(**NO_ENV_FILE)

    assert authenticated.allowed_channel_ids == {"msteams"}
    assert local.allowed_channel_ids == {"msteams", "emulator", "webchat"}


@pytest.mark.parametrize(
    "url",
    [
        "http://login.botframework.com/v1/.well-known/openidconfiguration",
        "ftp://login.botframework.com/",
        "https://user:pw@login.example/",
        "not a url",
    ],
)
def test_the_signing_key_metadata_must_be_fetched_over_https(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("BOT_LOCAL_MODE", "true")
    monkeypatch.setenv("BOT_OPENID_METADATA_URL", url)

    with pytest.raises(ValidationError, match="BOT_OPENID_METADATA_URL"):
        Settings(**NO_ENV_FILE)


def test_drafts_are_kept_thirty_days_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_LOCAL_MODE", "true")
    assert Settings(**NO_ENV_FILE).draft_retention_days == 30
    monkeypatch.setenv("DRAFT_RETENTION_DAYS", "7")
    assert Settings(**NO_ENV_FILE).draft_retention_days == 7
