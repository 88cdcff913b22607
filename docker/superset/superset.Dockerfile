# Apache Superset for planwatch's BI readers: the official image, which ships without database
# drivers, plus the PostgreSQL driver for its metadata database and for the published marts.
FROM apache/superset:4.1.2
USER root
RUN pip install --no-cache-dir "psycopg2-binary==2.9.10"
USER superset
