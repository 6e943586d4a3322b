"""``python -m engine``: the command line (``python -m jianhe`` is the documented form)."""
import sys

from engine.launch import main

sys.exit(main())
