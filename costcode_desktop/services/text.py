"""Names fenced in bidi isolates inside sentences: the helpers live in costcodes/text.py, so that
the domain's own messages (a repeated description in connectors.py) fence names too; services,
the window and costcode-sync import them from here, as before."""

from __future__ import annotations

from costcode_desktop.costcodes.text import FSI, PDI, isolated, quoted, without_isolates

__all__ = ["FSI", "PDI", "isolated", "quoted", "without_isolates"]
