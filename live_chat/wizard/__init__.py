from . import live_chat_transcript_send
from . import mail_compose_message
