"""CostCodeSync: keep Procore project cost codes in line with the Sage 300 CRE company list."""

__version__ = "0.1.0"
APP_NAME = "CostCodeSync"
