"""``CeleryBeat``: exactly one scheduler.

Two beats would enqueue every periodic task twice, so beat runs ``replicas: 1`` with the
``Recreate`` strategy (a rolling update would briefly run two) and no PodDisruptionBudget
(a budget on a singleton blocks node drains). Values reject more than one replica.

Beat serves no HTTP. Its liveness checks that the schedule file under ``/var/tmp/celery-beat``
changed in the last ten minutes: beat syncs it every three minutes while its loop runs, so a
hung scheduler stops touching it and is restarted.
"""

from __future__ import annotations

import constructs

from .config import KokuTier
from .workload import Container, EmptyDir, Mount, Probe, Recreate, Workload, literal

SCHEDULE_DIR = "/var/tmp/celery-beat"
STALE_AFTER_SECONDS = 600
SCHEDULE_FRESH = (
    "import glob, os, sys, time; "
    f"files = glob.glob('{SCHEDULE_DIR}/celerybeat-schedule*'); "
    f"sys.exit(0 if files and time.time() - max(map(os.path.getmtime, files)) < {STALE_AFTER_SECONDS} else 1)"
)


class CeleryBeat(constructs.Construct):
    """``<release>-celery-beat``: ``celery -A koku beat`` with Koku's schedule toggles as env."""

    def __init__(self, scope: constructs.Construct, id: str, *, tier: KokuTier) -> None:
        super().__init__(scope, id)
        cm = tier.values.cost_management
        beat, schedule = cm.beat, cm.beat.schedule
        probe_timing = {"period_seconds": 60, "timeout_seconds": 10}
        self.workload: Workload = tier.workload(
            self,
            "Workload",
            component="celery-beat",
            replicas=beat.replicas,
            strategy=Recreate(),
            spread=False,
            container=Container(
                image=tier.image,
                resources=beat.resources,
                command=[
                    "/bin/bash",
                    "-c",
                    "PYTHONPATH=${APP_HOME} exec celery -A koku beat -l $CELERY_LOG_LEVEL"
                    f" --schedule {SCHEDULE_DIR}/celerybeat-schedule",
                ],
                env=[
                    *tier.common_env(),
                    literal("CELERY_LOG_LEVEL", cm.workers.log_level),
                    literal("SCHEDULE_REPORT_CHECKS", schedule.report_checks),
                    literal("REPORT_DOWNLOAD_SCHEDULE", schedule.report_download_schedule),
                    literal("SOURCE_STATUS_SCHEDULE", schedule.source_status_schedule),
                    literal("REMOVE_EXPIRED_REPORT_DATA_ON_DAY", schedule.remove_expired_report_data_on_day),
                    literal("REMOVE_EXPIRED_REPORT_UTC_TIME", schedule.remove_expired_report_utc_time),
                    literal("VACUUM_DATA_DAY_OF_WEEK", schedule.vacuum_data_day_of_week),
                    literal("VACUUM_DATA_UTC_TIME", schedule.vacuum_data_utc_time),
                    literal("DELAYED_TASK_POLLING_MINUTES", schedule.delayed_task_polling_minutes),
                    literal("CURRENCY_URL", schedule.currency_url),
                ],
                mounts=[Mount(name="schedule", path=SCHEDULE_DIR, source=EmptyDir())],
                startup=Probe.exec(["python", "-c", SCHEDULE_FRESH], period_seconds=10, failure_threshold=30),
                liveness=Probe.exec(["python", "-c", SCHEDULE_FRESH], failure_threshold=3, **probe_timing),
            ),
        )
