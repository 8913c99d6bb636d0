"""CostCodeSync: keep Procore project cost codes in line with the company's ERP cost code list."""

__version__ = "0.1.0"
APP_NAME = "CostCodeSync"
