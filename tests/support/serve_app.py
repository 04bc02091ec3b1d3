"""Runs the bot as its own process, as `python app.py` does, for tests that need a real process.

`SIGN_IN_HOSTS_URL`, when set, is where every sign-in host the Bot Framework SDK knows of is
pointed (its channel and emulator OpenID metadata URLs), as well as the bot's own
BOT_OPENID_METADATA_URL: a test can make them all a port that accepts and never answers, to show
that no request ever waits on them in a way that stops the bot.
"""

from __future__ import annotations

import os

from botframework.connector.auth import AuthenticationConstants, ChannelValidation


def point_sign_in_hosts_at(url: str) -> None:
    AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL = url
    AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL = url
    ChannelValidation.open_id_metadata_endpoint = url
    os.environ["BOT_OPENID_METADATA_URL"] = url


if __name__ == "__main__":
    sign_in_hosts = os.environ.get("SIGN_IN_HOSTS_URL")
    if sign_in_hosts:
        point_sign_in_hosts_at(sign_in_hosts)
    import app

    app.main()
