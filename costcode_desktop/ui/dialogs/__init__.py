"""Help and information dialogs: About, How It Works, the crash report."""
