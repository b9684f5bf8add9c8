from . import bus_recovery
from . import controllers
from . import models
from . import report
from . import wizard
