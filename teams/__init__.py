"""The seam between the bot and Microsoft Teams (botbuilder and the Bot Connector).

`teams.sender.ConnectorSender` posts every activity the bot sends, with retries and one HTTP
client; `teams.tokens.TokenSource` signs those calls; `teams.adapter.TeamsCloudAdapter` routes
botbuilder's outbound calls through the sender. Failures are `teams.errors` exceptions.
"""

from teams.errors import ConversationGone, SendError, SendFailed, SendRejected
from teams.sender import Caller, ConnectorSender, RetryPolicy
from teams.tokens import TokenSource

__all__ = [
    "Caller",
    "ConnectorSender",
    "ConversationGone",
    "RetryPolicy",
    "SendError",
    "SendFailed",
    "SendRejected",
    "TokenSource",
]
