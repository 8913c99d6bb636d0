"""`python -m costcode_desktop.cli`: the same as the costcode-sync command."""

from __future__ import annotations

import sys

from costcode_desktop.cli import main

sys.exit(main())
