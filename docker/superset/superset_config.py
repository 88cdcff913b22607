"""Superset's configuration in planwatch's compose deployment: everything secret comes from the environment.

The marts are registered by start.sh with the read-only BI role's URI, so whatever an analyst runs in
SQL Lab, the database refuses any write (and Superset's per-database "allow DML" stays off).
"""

import os

SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
SQLALCHEMY_DATABASE_URI = os.environ["SUPERSET_DATABASE_URI"]
BABEL_DEFAULT_LOCALE = "zh"
