from . import test_channel
from . import test_ui_chat
