from . import helpdesk_ticket_team
from . import helpdesk_ticket
from . import discuss_channel
from . import live_chat_channel
