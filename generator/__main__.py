"""`python -m generator` runs the litmap command line."""
import sys

from .cli import main

sys.exit(main())
