#!/bin/bash
# Superset's start in planwatch's compose deployment: migrate its metadata, make sure the admin exists,
# import planwatch's dashboards (bundle/, Superset's import format), then point the marts database at the
# read-only BI role and serve. Every step is idempotent, so a restart runs them again harmlessly.
set -euo pipefail
superset db upgrade
superset fab create-admin \
    --username "${SUPERSET_ADMIN_USER}" --password "${SUPERSET_ADMIN_PASSWORD}" \
    --firstname planwatch --lastname admin --email "${SUPERSET_ADMIN_USER}@planwatch.invalid" \
    || echo "admin ${SUPERSET_ADMIN_USER} exists"
superset init

# `import-dashboards` reads one ZIP whose files sit under a single top folder; this folder is mounted
# read-only, so the archive is made in a temporary directory. Existing charts and dashboards with the same
# UUIDs are overwritten; the database and datasets, once there, are kept as they are.
bundle_zip="$(mktemp -d)/planwatch_dashboards.zip"
python - "$(dirname "$0")/bundle" "${bundle_zip}" <<'PY'
import sys
import zipfile
from pathlib import Path

bundle, archive = Path(sys.argv[1]), sys.argv[2]
with zipfile.ZipFile(archive, "w") as zipped:
    for path in sorted(bundle.rglob("*.yaml")):
        zipped.write(path, f"planwatch_dashboards/{path.relative_to(bundle)}")
PY
superset import-dashboards --path "${bundle_zip}" --username "${SUPERSET_ADMIN_USER}"

# The bundle's database carries no password; this sets the real URI (after the import, which would
# otherwise replace it on a first start).
superset set-database-uri --database_name "planwatch marts" --uri "${PLANWATCH_MARTS_URI}"
exec /usr/bin/run-server.sh
