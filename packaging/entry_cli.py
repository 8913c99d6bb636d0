"""The frozen costcode-sync command's entry point (PyInstaller runs this file as __main__)."""

import sys

from costcode_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
