"""The Qt layer: widgets, models, delegates, the worker helper and dialogs."""
