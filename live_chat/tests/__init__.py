from . import test_access
from . import test_channel
from . import test_operator_choice
from . import test_session
from . import test_security
from . import test_ui_channel
from . import test_websocket
from . import test_ui_chat
