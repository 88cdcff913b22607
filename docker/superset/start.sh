#!/bin/bash
# Superset's start in planwatch's compose deployment: migrate its metadata, make sure the admin and
# the marts database (read through the read-only BI role) exist, then serve. Every step is idempotent,
# so a restart runs them again harmlessly.
set -euo pipefail
superset db upgrade
superset fab create-admin \
    --username "${SUPERSET_ADMIN_USER}" --password "${SUPERSET_ADMIN_PASSWORD}" \
    --firstname planwatch --lastname admin --email "${SUPERSET_ADMIN_USER}@planwatch.invalid" \
    || echo "admin ${SUPERSET_ADMIN_USER} exists"
superset init
superset set-database-uri --database_name "planwatch marts" --uri "${PLANWATCH_MARTS_URI}"
exec /usr/bin/run-server.sh
