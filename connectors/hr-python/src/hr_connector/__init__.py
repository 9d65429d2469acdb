"""hr_connector: a real ECMA2 connector for an HR system kept in SQLite, built on ``ecma2``.

Run it as ``python -m hr_connector`` (or ``ecma2-hr-connector``); the host launches it with the
environment of docs/runtime.md.
"""

from hr_connector.connector import HrConnector

__all__ = ["HrConnector"]
__version__ = "0.1.0"
