from . import bus_recovery
from . import presence_heartbeat
from . import controllers
from . import models
from . import report
from . import wizard
