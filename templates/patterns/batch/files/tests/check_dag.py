#!/usr/bin/env python3
"""check_dag.py - load the Airflow DAG file against stand-in airflow
modules (Airflow itself is not needed) and check what the scheduler would
get: the schedule, one BashOperator that runs the job for the logical date,
retries, and an SLA equal to the batch window.

usage: check_dag.py DAG_FILE --schedule CRON --job NAME --window-minutes N
"""
import argparse
import datetime
import runpy
import sys
import types

created = {"dags": [], "tasks": []}


class DAG:
    def __init__(self, dag_id, **kwargs):
        self.dag_id = dag_id
        self.kwargs = kwargs
        created["dags"].append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class BashOperator:
    def __init__(self, task_id, bash_command, **kwargs):
        self.task_id = task_id
        self.bash_command = bash_command
        self.kwargs = kwargs
        created["tasks"].append(self)


def install_stubs():
    airflow = types.ModuleType("airflow")
    airflow.DAG = DAG
    operators = types.ModuleType("airflow.operators")
    bash = types.ModuleType("airflow.operators.bash")
    bash.BashOperator = BashOperator
    sys.modules.update({"airflow": airflow, "airflow.operators": operators,
                        "airflow.operators.bash": bash})


def fail(msg):
    print("check_dag: " + msg, file=sys.stderr)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dag")
    ap.add_argument("--schedule", required=True)
    ap.add_argument("--job", required=True)
    ap.add_argument("--window-minutes", type=int, required=True)
    a = ap.parse_args()
    install_stubs()
    runpy.run_path(a.dag)
    if len(created["dags"]) != 1:
        fail("expected one DAG, found %d" % len(created["dags"]))
    dag = created["dags"][0]
    if dag.kwargs.get("schedule") != a.schedule:
        fail("schedule %r, expected %r" % (dag.kwargs.get("schedule"), a.schedule))
    if dag.kwargs.get("max_active_runs") != 1:
        fail("max_active_runs must be 1 (runs of one date must not overlap)")
    if len(created["tasks"]) != 1:
        fail("expected one task, found %d" % len(created["tasks"]))
    task = created["tasks"][0]
    cmd = task.bash_command
    logical_date = "{" * 2 + " ds " + "}" * 2  # Airflow's Jinja macro, spelt so templates leave it alone
    for part in ("/bin/%s run " % a.job, "--config ", "--date " + logical_date):
        if part not in cmd:
            fail("bash_command %r lacks %r" % (cmd, part))
    args = dict(dag.kwargs.get("default_args") or {})
    args.update(task.kwargs)
    if not isinstance(args.get("retries"), int) or args["retries"] < 1:
        fail("no retries")
    window = datetime.timedelta(minutes=a.window_minutes)
    if args.get("sla") != window:
        fail("sla %r, expected the batch window %r" % (args.get("sla"), window))
    if args.get("execution_timeout") != window:
        fail("execution_timeout %r, expected %r" % (args.get("execution_timeout"), window))
    print("check_dag: %s: schedule %r, retries %d, sla %s" % (dag.dag_id, a.schedule, args["retries"], window))


if __name__ == "__main__":
    main()
