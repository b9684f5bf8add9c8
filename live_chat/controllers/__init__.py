from . import main
from . import widget
from . import session
from . import operator
from . import thread
