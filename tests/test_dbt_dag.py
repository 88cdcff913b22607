"""The transform DAG's wiring: on the ingest Asset, cosmos tasks per model, the writer pool, the marts Asset.

(It runs, on a month of sample data, on Celery with the scheduler in tests/test_airflow_celery.py.)
"""

from __future__ import annotations

from types import SimpleNamespace

from planwatch.config import load_settings


def test_the_transform_dag_is_scheduled_on_the_ingest_asset_and_takes_the_writer_pool(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    monkeypatch.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    from airflow.dag_processing.dagbag import DagBag

    from .airflow_support import PROJECT_ROOT

    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags"))
    assert bag.import_errors == {}
    dag = bag.dags["planwatch_transform"]
    produced = {outlet.uri for task in bag.dags["planwatch_ingest"].tasks for outlet in task.outlets}
    assert "planwatch://warehouse/raw/observations" in produced
    assert "planwatch://warehouse/raw/observations" in str(dag.timetable.asset_condition)
    producer = dag.get_task("dbt.dbt_producer_watcher")
    assert producer.pool == "duckdb_writer"
    # the producer's dbt build skips the unit tests, as `planwatch transform` does (they run in CI)
    assert producer.env.get("DBT_EXCLUDE_RESOURCE_TYPES") == "unit_test"
    assert dag.get_task("publish_marts").pool == "duckdb_writer"
    model_tasks = [task for task in dag.tasks if task.task_id.endswith("_run")]
    assert len(model_tasks) >= 20 and all(task.pool != "duckdb_writer" for task in model_tasks)
    published = {outlet.uri for outlet in dag.get_task("publish_marts").outlets}
    assert published == {"planwatch://warehouse/marts"}
    assert "planwatch://warehouse/marts" in str(bag.dags["planwatch_quality"].timetable.asset_condition)
    # the thresholds reach dbt when the task runs: an Airflow Variable planwatch_<setting> over planwatch.toml
    assert "vars" in producer.template_fields
    template = producer.vars["lagging_threshold_pp"]
    assert "planwatch_lagging_threshold_pp" in template
    import jinja2

    def rendered(variables: dict[str, str]) -> str:
        value = SimpleNamespace(get=lambda key, default: variables.get(key, default))
        return jinja2.Template(template).render(var=SimpleNamespace(value=value))

    assert rendered({"planwatch_lagging_threshold_pp": "3"}) == "3"
    assert float(rendered({})) == load_settings().lagging_threshold_pp
    assert producer.vars["source_precedence"] == load_settings().dbt_vars()["source_precedence"]
