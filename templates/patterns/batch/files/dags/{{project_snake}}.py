{{=<% %>=}}
"""<% project_name %>: the batch scoring job as an Apache Airflow DAG.

One task runs the job for the DAG run's logical date ({{ ds }}), so a
backfill or a manual re-run of a date replaces exactly that date's
partition. The exit code is the job's contract (README "Exit codes"):
0 ok; 3 bad input; 4 stale or missing input; 5 storage failure; 6 model
failure; 7 another run holds the lock. Airflow retries every failure; the
retries pay off for 4, 5 and 7 (upstream late, disk or database busy).
The SLA is the batch window: a run that misses it raises an SLA miss, and
execution_timeout stops it (SIGTERM: the job rolls back and exits 143).

Copy this file into the scheduler's dags/ folder; the job is expected under
JOB_HOME on the workers (cmake --install build, prefix /opt/<% project_name %>).
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

JOB_HOME = "/opt/<% project_name %>"
WINDOW = timedelta(minutes=<% window_minutes %>)

default_args = {
    "owner": "<% project_name %>",
    "retries": 3,
    "retry_delay": timedelta(minutes=10),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(hours=1),
    "sla": WINDOW,
    "execution_timeout": WINDOW,
}

with DAG(
    dag_id="<% project_name %>",
    description="<% project_name %> batch scoring (weft batch pattern)",
    schedule="<% schedule %>",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["weft", "batch-scoring"],
) as dag:
    score = BashOperator(
        task_id="score",
        # Jinja fills in the logical date; the job refuses stale input itself
        bash_command=(
            JOB_HOME + "/bin/<% project_name %> run --config " + JOB_HOME
            + "/job.conf --date {{ ds }} --quiet"
        ),
        cwd=JOB_HOME,
    )
