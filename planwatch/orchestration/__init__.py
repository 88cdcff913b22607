"""What the Airflow DAGs call: each task body is one function here, so the CLI and Airflow share code."""
