"""`python -m sanitizer` runs the command line."""

import sys

from sanitizer.cli import main

sys.exit(main())
