from . import live_chat_channel
from . import live_chat_channel_rule
from . import live_chat_rate_limit
from . import discuss_channel
from . import discuss_channel_member
from . import res_groups
from . import res_users
