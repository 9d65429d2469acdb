"""``python -m hr_connector``: serve the HR connector until the host stops it."""

from __future__ import annotations

import ecma2
from hr_connector import __version__
from hr_connector.connector import HrConnector


def main() -> None:
    """Entry point of the ``ecma2-hr-connector`` console script."""
    ecma2.serve(HrConnector, name="hr-python", version=__version__)


if __name__ == "__main__":
    main()
