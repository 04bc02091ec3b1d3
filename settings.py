"""The bot's configuration, read once from the environment (and an optional .env file).

Bot Framework's conventional names are used for the credentials (MicrosoftAppId,
MicrosoftAppPassword, MicrosoftAppType, MicrosoftAppTenantId) so that an Azure Bot resource's
settings carry over unchanged.
Everything else has a plain upper-case name; the README's configuration table lists them all.
"""

from __future__ import annotations

from datetime import time
from enum import StrEnum
from typing import Annotated, Any, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.urls import is_secure_url
from domain.model import LscpArea
from domain.policy import ProcedurePolicy
from domain.working_days import WorkingCalendar


class AppType(StrEnum):
    """How the bot's Entra ID app registration authenticates (Azure Bot "type")."""

    SINGLE_TENANT = "SingleTenant"
    MULTI_TENANT = "MultiTenant"
    USER_ASSIGNED_MSI = "UserAssignedMSI"


class PartnershipContact(BaseModel):
    """A Local Safeguarding Children Partnership team: who stage 5 emails."""

    name: str
    email: str


DEFAULT_LSCP_CONTACTS: dict[LscpArea, PartnershipContact] = {
    # Seed 004, "Contact details LSCPs".
    LscpArea.HAMPSHIRE: PartnershipContact(
        name="Hampshire Safeguarding Children Partnership", email="hscp@hants.gov.uk"
    ),
    LscpArea.ISLE_OF_WIGHT: PartnershipContact(
        name="Isle of Wight Safeguarding Children Partnership", email="scp@iow.gov.uk"
    ),
    LscpArea.PORTSMOUTH: PartnershipContact(
        name="Portsmouth Safeguarding Children Partnership", email="pscp@portsmouth.gov.uk"
    ),
    LscpArea.SOUTHAMPTON: PartnershipContact(
        name="Southampton Safeguarding Children Partnership",
        email="Safeguarding.partnershipsteam@southampton.gov.uk",
    ),
}

# Seed 002: "please contact sam.nesbit@portsmouthcc.gov.uk to discuss arranging a Re-think".
DEFAULT_RETHINK_CONTACT = PartnershipContact(
    name="Portsmouth Safeguarding Children Partnership (Re-think)",
    email="sam.nesbit@portsmouthcc.gov.uk",
)

# Shown when a practitioner says a child is at immediate risk of significant harm. Councils
# replace these with their front-door numbers (CHILD_PROTECTION_CONTACTS).
DEFAULT_CHILD_PROTECTION_CONTACTS: dict[LscpArea, str] = {
    area: (
        f"Contact {area.label} children's social care (the front door for child protection "
        "referrals) now, as your agency's child protection procedures set out. If a child is in "
        "immediate danger, call 999."
    )
    for area in LscpArea
}

# botframework-connector's AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL.
CHANNEL_OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"

TEAMS_CHANNELS = frozenset({"msteams"})
# The Agents Playground emulates these channels besides Teams (its -c option).
PLAYGROUND_CHANNELS = frozenset({"emulator", "webchat"})

LOCAL_MODE_HELP = (
    "MicrosoftAppId is not set. In Teams the bot needs its Entra ID app registration: set "
    "MicrosoftAppId, MicrosoftAppPassword and MicrosoftAppTenantId. To try it locally in the "
    "Microsoft 365 Agents Playground without Azure, set BOT_LOCAL_MODE=true instead "
    "(inbound requests are then NOT authenticated, so the bot only listens on 127.0.0.1)."
)


class Settings(BaseSettings):
    """All configuration. Build it once in `app.main()` and pass it down."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    microsoft_app_id: str = Field(
        default="", validation_alias=AliasChoices("MicrosoftAppId", "MICROSOFT_APP_ID")
    )
    microsoft_app_password: SecretStr = Field(
        default=SecretStr(""),
        validation_alias=AliasChoices("MicrosoftAppPassword", "MICROSOFT_APP_PASSWORD"),
    )
    microsoft_app_type: AppType = Field(
        default=AppType.SINGLE_TENANT,
        validation_alias=AliasChoices("MicrosoftAppType", "MICROSOFT_APP_TYPE"),
    )
    microsoft_app_tenant_id: str = Field(
        default="",
        validation_alias=AliasChoices("MicrosoftAppTenantId", "MICROSOFT_APP_TENANT_ID"),
    )
    local_mode: bool = Field(default=False, validation_alias="BOT_LOCAL_MODE")
    allowed_tenant_ids: Annotated[frozenset[str], NoDecode] = Field(
        default=frozenset(), validation_alias="ALLOWED_TENANT_IDS"
    )

    host: str | None = Field(default=None, validation_alias="BOT_HOST")
    port: int = Field(default=3978, ge=1, le=65535, validation_alias="PORT")
    database_url: str = Field(
        default="sqlite+aiosqlite:///data/bot.db", validation_alias="DATABASE_URL"
    )
    migrate_on_start: bool | None = Field(default=None, validation_alias="MIGRATE_ON_START")
    log_level: str = Field(default="INFO", validation_alias="LOG_LEVEL")
    # Where Microsoft publishes the Bot Framework channel's token-signing keys (public cloud).
    openid_metadata_url: str = Field(
        default=CHANNEL_OPENID_METADATA_URL, validation_alias="BOT_OPENID_METADATA_URL"
    )
    draft_retention_days: int = Field(
        default=30, ge=1, le=3650, validation_alias="DRAFT_RETENTION_DAYS"
    )

    timezone: str = Field(default="Europe/London", validation_alias="BOT_TIMEZONE")
    holiday_country: str = Field(default="GB", validation_alias="HOLIDAY_COUNTRY")
    holiday_subdivision: str | None = Field(default="ENG", validation_alias="HOLIDAY_SUBDIVISION")
    working_days_per_stage: int = Field(
        default=2, ge=1, le=20, validation_alias="STAGE_WORKING_DAYS"
    )
    urgent_working_days: int = Field(default=0, ge=0, le=20, validation_alias="URGENT_WORKING_DAYS")
    reminder_time: time = Field(default=time(9, 0), validation_alias="REMINDER_TIME")

    lscp_contacts: dict[LscpArea, PartnershipContact] = Field(
        default_factory=lambda: dict(DEFAULT_LSCP_CONTACTS), validation_alias="LSCP_CONTACTS"
    )
    rethink_contact: PartnershipContact = Field(
        default=DEFAULT_RETHINK_CONTACT, validation_alias="RETHINK_CONTACT"
    )
    child_protection_contacts: dict[LscpArea, str] = Field(
        default_factory=lambda: dict(DEFAULT_CHILD_PROTECTION_CONTACTS),
        validation_alias="CHILD_PROTECTION_CONTACTS",
    )

    @field_validator("allowed_tenant_ids", mode="before")
    @classmethod
    def _split_tenant_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("openid_metadata_url")
    @classmethod
    def _metadata_over_https(cls, value: str) -> str:
        if not is_secure_url(value):
            raise ValueError("BOT_OPENID_METADATA_URL must be an https URL")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"BOT_TIMEZONE {value!r} is not a known IANA time zone") from error
        return value

    @field_validator("lscp_contacts")
    @classmethod
    def _every_area_has_a_contact(
        cls, value: dict[LscpArea, PartnershipContact]
    ) -> dict[LscpArea, PartnershipContact]:
        missing = [area.label for area in LscpArea if area not in value]
        if missing:
            raise ValueError("LSCP_CONTACTS has no contact for " + ", ".join(missing))
        return value

    @model_validator(mode="after")
    def _urgent_is_not_slower(self) -> Self:
        if self.urgent_working_days > self.working_days_per_stage:
            raise ValueError(
                "URGENT_WORKING_DAYS must not be more than STAGE_WORKING_DAYS: urgent threads "
                "are meant to move faster."
            )
        return self

    @model_validator(mode="after")
    def _credentials_are_complete(self) -> Self:
        if not self.microsoft_app_id:
            if not self.local_mode:
                raise ValueError(LOCAL_MODE_HELP)
            return self
        if self.microsoft_app_type is AppType.SINGLE_TENANT:
            if not self.microsoft_app_password.get_secret_value():
                raise ValueError("MicrosoftAppType is SingleTenant: set MicrosoftAppPassword.")
            if not self.microsoft_app_tenant_id:
                raise ValueError("MicrosoftAppType is SingleTenant: set MicrosoftAppTenantId.")
        if (
            self.microsoft_app_type is AppType.USER_ASSIGNED_MSI
            and not self.microsoft_app_tenant_id
        ):
            raise ValueError("MicrosoftAppType is UserAssignedMSI: set MicrosoftAppTenantId.")
        return self

    @property
    def authentication_enabled(self) -> bool:
        """Inbound tokens are checked whenever an app id is configured."""
        return bool(self.microsoft_app_id)

    @property
    def allowed_channel_ids(self) -> frozenset[str]:
        """Bot Framework channels the bot acts on: Teams, and in local mode the Agents
        Playground's channels (it can emulate Teams or the Bot Framework Emulator)."""
        if self.authentication_enabled:
            return TEAMS_CHANNELS
        return TEAMS_CHANNELS | PLAYGROUND_CHANNELS

    @property
    def bind_host(self) -> str:
        """Unauthenticated local mode never listens beyond this machine unless told to."""
        if self.host:
            return self.host
        return "0.0.0.0" if self.authentication_enabled else "127.0.0.1"  # noqa: S104

    @property
    def should_migrate_on_start(self) -> bool:
        """SQLite is migrated at start-up; PostgreSQL by the documented command, unless told."""
        if self.migrate_on_start is not None:
            return self.migrate_on_start
        return self.database_url.startswith("sqlite")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def procedure_policy(self) -> ProcedurePolicy:
        """The domain's timescales and calendar, built from this configuration."""
        return ProcedurePolicy(
            calendar=WorkingCalendar(self.holiday_country, self.holiday_subdivision),
            timezone=self.zone,
            working_days_per_stage=self.working_days_per_stage,
            urgent_working_days=self.urgent_working_days,
            reminder_time=self.reminder_time,
        )
