"""Queue tasks of the policies app: the push (政策找人) runs here, never in a request."""

from __future__ import annotations

from talentport.common.tasks import task


@task("policies.push_run")
def push_run_task(run_id: int) -> None:
    """Execute or resume one recorded push run (idempotent: a done run is left alone)."""
    from talentport.policies.push import push_run_execute

    push_run_execute(run_id)


@task("policies.push_profile")
def push_profile_task(profile_id: int) -> None:
    """Push the policies in force to one profile that was just saved."""
    from talentport.policies.push import push_profiles

    push_profiles(profile_ids=[profile_id])


@task("policies.push_nightly")
def push_nightly_task() -> None:
    """The nightly push over every stored profile: windows move and ages are reached
    without anyone saving anything."""
    from talentport.policies.models import PushTrigger
    from talentport.policies.push import push_run_create

    push_run_create(trigger=PushTrigger.NIGHTLY)


@task("policies.push_runs_resume")
def push_runs_resume_task() -> None:
    """Queue again the runs that wait for a broker or lost their worker."""
    from talentport.policies.push import push_runs_resume

    push_runs_resume()


@task("policies.preview")
def preview_task(preview_id: int) -> None:
    """Compute a 政策沙盘 preview of a draft version."""
    from talentport.policies.sandbox import preview_execute

    preview_execute(preview_id)
