from . import main
from . import widget
