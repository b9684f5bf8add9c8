from . import live_chat_channel
from . import live_chat_channel_rule
from . import live_chat_rate_limit
from . import discuss_channel
from . import mail_guest
from . import mail_message
