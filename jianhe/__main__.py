"""``python -m jianhe``: the command line."""
import sys

from engine.launch import main

sys.exit(main())
