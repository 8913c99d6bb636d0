"""The main window: its controller (the one owner of the window's state), actions and chrome."""
