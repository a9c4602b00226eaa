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

from ..core.pod import Container, EmptyDir, Mount, Probe, literal
from ..core.tree import Part
from ..core.workload import DeploymentKind, Recreate, Workload
from ..values import Workers
from .env import KokuRole
from .tier import KokuPod, KokuTier

SCHEDULE_DIR = "/var/tmp/celery-beat"
STALE_AFTER_SECONDS = 600
SCHEDULE_FRESH = (
    "import glob, os, sys, time; "
    f"files = glob.glob('{SCHEDULE_DIR}/celerybeat-schedule*'); "
    f"sys.exit(0 if files and time.time() - max(map(os.path.getmtime, files)) < {STALE_AFTER_SECONDS} else 1)"
)


def scheduler_queues(workers: Workers) -> str:
    """Koku's SCHEDULER_WORKER_QUEUE (set on beat, unused by it): the consumed queues but celery and subs."""
    consumed = workers.consumers(running=False)
    return ",".join(sorted(q for q in consumed if q != "celery" and not q.startswith("subs_")))


class CeleryBeat(Part):
    """``<release>-celery-beat``: ``celery -A koku beat`` with Koku's schedule toggles as env."""

    def __init__(self, scope: constructs.Construct, id: str, *, tier: KokuTier) -> None:
        super().__init__(scope, id)
        cm = tier.values.cost_management
        beat = cm.beat
        probe_timing = {"period_seconds": 60, "timeout_seconds": 10}
        self.workload: Workload = tier.workload(
            self,
            "Workload",
            component="celery-beat",
            pod=KokuPod(roles=[KokuRole.BEAT]),
            component_values=beat,
            controller=DeploymentKind(replicas=beat.replicas, strategy=Recreate(), spread=False),
            container=Container(
                image=tier.image,
                resources=beat.resources,
                command=[
                    "/bin/bash",
                    "-c",
                    'PYTHONPATH="$APP_HOME" exec celery -A koku beat -l "$CELERY_LOG_LEVEL"'
                    f" --schedule {SCHEDULE_DIR}/celerybeat-schedule",
                ],
                env=[literal("WORKER_QUEUES", scheduler_queues(cm.workers))],
                mounts=[Mount(name="schedule", path=SCHEDULE_DIR, source=EmptyDir())],
                startup=Probe.exec(["python", "-c", SCHEDULE_FRESH], period_seconds=10, failure_threshold=30),
                liveness=Probe.exec(["python", "-c", SCHEDULE_FRESH], failure_threshold=3, **probe_timing),
                # Beat has no Service; Ready means "scheduling" (rollout status, availability alerts).
                readiness=Probe.exec(["python", "-c", SCHEDULE_FRESH], failure_threshold=1, **probe_timing),
            ),
            talks_to=[tier.stores.database, tier.stores.cache, tier.koku_bucket],
        )
