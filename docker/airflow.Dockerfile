# planwatch's Airflow image: the official Apache Airflow image with the project installed in it.
#
# Built by docker-compose.yml (`docker compose build`). The dependencies come from the committed lock
# file (uv.lock), the same versions the tests run with; Airflow itself is pinned to the image's
# version so installing the project never upgrades or downgrades it. The slim image carries no
# providers we do not use: the lock brings the Celery, PostgreSQL and SMTP providers and cosmos.
# The project is installed editable at /opt/planwatch, because planwatch finds plans/, dbt_project/,
# expectations/ and reports/ next to its package.
ARG AIRFLOW_VERSION=3.3.2
ARG PYTHON_VERSION=3.11
FROM apache/airflow:slim-${AIRFLOW_VERSION}-python${PYTHON_VERSION}
ARG AIRFLOW_VERSION
ARG UV_VERSION=0.13.9

USER root
# Chinese fonts for briefings and charts, and the Pango libraries WeasyPrint renders PDFs with
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig \
    && fc-cache -f \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/*
# Named volumes copy the ownership of the folder they are mounted on: create them for the airflow user.
RUN mkdir -p /opt/planwatch /opt/airflow/config /opt/airflow/logs \
        /data/landing /data/outbox /data/output /data/warehouse \
    && chown -R airflow:0 /opt/planwatch /opt/airflow/config /opt/airflow/logs /data

USER airflow
WORKDIR /opt/planwatch
# Dependencies first: this layer is rebuilt only when the lock file changes.
COPY --chown=airflow:0 pyproject.toml uv.lock ./
RUN pip install --no-cache-dir "uv==${UV_VERSION}" \
    && uv export --frozen --no-dev --no-emit-project --no-hashes --no-header -o /tmp/requirements.txt \
    && pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY --chown=airflow:0 README.md planwatch.toml ./
COPY --chown=airflow:0 planwatch ./planwatch
COPY --chown=airflow:0 plans ./plans
COPY --chown=airflow:0 dbt_project ./dbt_project
COPY --chown=airflow:0 expectations ./expectations
COPY --chown=airflow:0 reports ./reports
COPY --chown=airflow:0 dags ./dags
COPY --chown=airflow:0 docker/airflow ./docker/airflow
RUN pip install --no-cache-dir --no-deps -e . \
    && python -m planwatch.orchestration.dbt_manifest

ENV GX_ANALYTICS_ENABLED=False
