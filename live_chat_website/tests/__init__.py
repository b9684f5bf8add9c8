from . import test_settings
from . import test_visitor
from . import test_ui
from . import test_privacy
from . import test_history_command
