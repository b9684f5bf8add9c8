from . import live_chat_session_report
