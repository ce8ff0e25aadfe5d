"""AWS IoT Jobs' rollout and timeouts on the sandbox's clock (jobs_state.py applies them whenever a
job is read, a device updates an execution or the clock moves):

- jobExecutionsRolloutConfig.maximumPerMinute: a job's targets get their executions (and are
  notified) at most that many a minute, the first at creation; exponentialRate starts at
  baseRatePerMinute and multiplies by incrementFactor each time rateIncreaseCriteria's number of
  things were notified (numberOfNotifiedThings) or succeeded (numberOfSucceededThings) since the
  last increase. Targets not reached yet have no execution, as on AWS; a job canceled or aborted
  never reaches them.
- timeoutConfig.inProgressTimeoutInMinutes: an execution IN_PROGRESS that long is TIMED_OUT (and
  its thing told its next execution); a device's stepTimeoutInMinutes on an update times it out
  that long after the update.
- The sandbox control `POST /sandbox/clock {"advanceMinutes": N}` (0 < N <= 10080) lets N minutes
  pass for the jobs of the request's region: each job and execution is made N minutes older (its
  creation, queueing, start, last update, step timer), then rollouts and timeouts are applied as of
  now. Other regions, and what is made afterwards, keep real time (tests share the sandbox).
"""
import datetime
import json
import threading

from moto.iot import urls as iot_urls
from moto.iot.models import iot_backends

import aws_rules
import jobs_topics


def refused(rollout, abort, timeout):
    """What AWS refuses in a job's rollout, abort and timeout configuration (CreateJob's
    constraints), or None."""
    rollout, abort, timeout = rollout or {}, abort or {}, timeout or {}
    if "maximumPerMinute" in rollout and not 1 <= int(rollout["maximumPerMinute"]) <= 1000:
        return "jobExecutionsRolloutConfig.maximumPerMinute must be from 1 to 1000"
    exponential = rollout.get("exponentialRate")
    if exponential is not None:
        criteria = exponential.get("rateIncreaseCriteria") or {}
        if not 1 <= int(exponential.get("baseRatePerMinute") or 0) <= 1000:
            return "exponentialRate.baseRatePerMinute must be from 1 to 1000"
        if not 1.1 <= float(exponential.get("incrementFactor") or 0) <= 5:
            return "exponentialRate.incrementFactor must be from 1.1 to 5"
        if len(criteria) != 1 or next(iter(criteria)) not in ("numberOfNotifiedThings", "numberOfSucceededThings") or int(next(iter(criteria.values()))) < 1:
            return "exponentialRate.rateIncreaseCriteria needs one of numberOfNotifiedThings or numberOfSucceededThings (at least 1)"
    for criteria in abort.get("criteriaList", []):
        if criteria.get("failureType") not in ("FAILED", "REJECTED", "TIMED_OUT", "ALL") or criteria.get("action") != "CANCEL":
            return "abortConfig criteria need failureType FAILED, REJECTED, TIMED_OUT or ALL and action CANCEL"
        if not 0 < float(criteria.get("thresholdPercentage") or 0) <= 100 or int(criteria.get("minNumberOfExecutedThings") or 0) < 1:
            return "abortConfig criteria need thresholdPercentage in (0, 100] and minNumberOfExecutedThings >= 1"
    if "inProgressTimeoutInMinutes" in timeout and not 1 <= int(timeout["inProgressTimeoutInMinutes"]) <= 10080:
        return "timeoutConfig.inProgressTimeoutInMinutes must be from 1 to 10080"
    return None


def _rate(job):
    rollout = job.job_executions_rollout_config or {}
    if rollout.get("maximumPerMinute"):
        return float(rollout["maximumPerMinute"])
    if rollout.get("exponentialRate"):
        return float(rollout["exponentialRate"]["baseRatePerMinute"])
    return None


def start(job, targets, release):
    """The job's targets [(thing name, thing ARN)]: those its rollout reaches now are released
    (`release(name, arn)`), the others wait for later minutes."""
    job.__dict__["_sandbox_pending"] = list(targets)
    job.__dict__["_sandbox_slot"] = (0, 0)  # (minute since creation, released in it)
    job.__dict__["_sandbox_rate"] = (_rate(job), 0)  # (executions a minute, notified at the last increase)
    job.created_at = jobs_topics.now()
    advance(None, job, release, lambda *_: None)


def join(job, target, release, announce_next):
    """A thing joins a continuous job's group: it waits its turn in the rollout, or has it now."""
    pending = job.__dict__.setdefault("_sandbox_pending", [])
    if target not in pending:
        pending.append(target)
    advance(None, job, release, announce_next)


# Rollouts are advanced from the HTTP server's threads and the device endpoint's (a device's
# update refreshes its job): one at a time, or two would release from the same pending list.
# (Reentrant: jobs_state.refresh holds it around the whole refresh.)
LOCK = threading.RLock()


def advance(executions, job, release, announce_next):
    """Releases what the rollout allows by now and times out executions past their timeout.
    `executions`: the job's [(thing, execution)] (None: none yet)."""
    with LOCK:
        _advance(executions, job, release, announce_next)


def _advance(executions, job, release, announce_next):
    pending = job.__dict__.get("_sandbox_pending", [])
    if job.status != "IN_PROGRESS":
        pending.clear()
    now = jobs_topics.now()
    minute = max(0, int((now - job.created_at).total_seconds() // 60))
    slot, used = job.__dict__.get("_sandbox_slot", (0, 0))
    rate, since = job.__dict__.get("_sandbox_rate", (None, 0))
    while pending:
        quota = len(pending) if rate is None else max(0, int(rate) - used)
        for name, arn in pending[:quota]:
            release(name, arn)
        del pending[:quota]
        used += quota
        job.__dict__["_sandbox_notified"] = job.__dict__.get("_sandbox_notified", 0) + quota
        if pending and slot < minute:
            # A minute on: an exponential rate grows by what its criteria counted so far.
            exponential = (job.job_executions_rollout_config or {}).get("exponentialRate")
            if exponential and rate is not None:
                kind, every = next(iter((exponential.get("rateIncreaseCriteria") or {}).items()), ("numberOfNotifiedThings", 1))
                count = job.__dict__["_sandbox_notified"] if kind == "numberOfNotifiedThings" \
                    else sum(1 for _, e in executions or [] if e.status == "SUCCEEDED")
                while count - since >= int(every):
                    rate, since = min(1000.0, rate * float(exponential["incrementFactor"])), since + int(every)
            slot, used = slot + 1, 0
            continue
        break
    if slot < minute:
        slot, used = minute, 0
    job.__dict__["_sandbox_slot"], job.__dict__["_sandbox_rate"] = (slot, used), (rate, since)
    _time_out(executions or [], job, now, announce_next)


def _time_out(executions, job, now, announce_next):
    limit = (job.timeout_config or {}).get("inProgressTimeoutInMinutes")
    for thing, execution in executions:
        if execution.status != "IN_PROGRESS":
            continue
        step = execution.__dict__.get("_sandbox_step_timeout")
        due = [execution.started_at + datetime.timedelta(minutes=int(limit))] if limit else []
        if step:
            due.append(step[0] + datetime.timedelta(minutes=step[1]))
        if due and now >= min(due):
            jobs_topics._change(execution, "TIMED_OUT", None)
            announce_next(thing)


def advance_clock(request, full_url, headers):
    """`POST /sandbox/clock {"advanceMinutes": N}`: N minutes pass for the region's jobs."""
    import jobs_state
    try:
        body = json.loads(request.data or b"{}")
    except ValueError:
        body = None
    minutes = body.get("advanceMinutes") if isinstance(body, dict) else None
    if not isinstance(minutes, (int, float)) or isinstance(minutes, bool) or not 0 < minutes <= 10080:
        return 400, {}, json.dumps({"message": "advanceMinutes must be a number of minutes from 0 (excluded) to 10080"})
    backend = iot_backends["123456789012"][aws_rules.control_region(headers)]  # (moto's one account)
    with LOCK:
        passed = datetime.timedelta(minutes=minutes)
        for job in list(backend.jobs.values()):
            job.created_at -= passed
            job.last_updated_at -= passed
        for execution in list(backend.job_executions.values()):
            for name in ("queued_at", "started_at", "last_updated_at"):
                setattr(execution, name, getattr(execution, name) - passed)
            step = execution.__dict__.get("_sandbox_step_timeout")
            if step:
                execution.__dict__["_sandbox_step_timeout"] = (step[0] - passed, step[1])
        for job in list(backend.jobs.values()):
            jobs_state.refresh(backend, job)
    return 200, {}, json.dumps({"passedMinutes": minutes})


iot_urls.url_paths["{0}/sandbox/clock$"] = advance_clock
