from . import website
from . import website_visitor
from . import res_config_settings
from . import live_chat_channel
from . import discuss_channel
