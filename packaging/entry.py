"""The frozen application's entry point (PyInstaller runs this file as __main__).

Started with --run-sandbox it is the demo's sandbox in a process of its own (see
costcode_desktop/services/demo_process.py), and loads no Qt.
"""

import sys

if __name__ == "__main__":
    if sys.argv[1:2] == ["--run-sandbox"]:
        from costcode_desktop.sandbox.cli import main as sandbox

        sys.exit(sandbox(sys.argv[2:]))
    from costcode_desktop.app import main

    sys.exit(main())
