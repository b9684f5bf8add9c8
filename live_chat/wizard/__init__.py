from . import live_chat_transcript_send
