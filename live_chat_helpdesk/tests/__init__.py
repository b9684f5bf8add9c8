from . import test_team_channel
from . import test_ticket
from . import test_ui
from . import test_report
from . import test_offline
