"""AWS IoT Jobs as a state machine, where moto keeps jobs as they were created:

- A new job is IN_PROGRESS (moto: QUEUED, a status jobs do not have).
- Targets: a thing group's ARN targets the group's members (moto made one execution named after
  the group); a CONTINUOUS job reaches a thing that joins its group later, as AWS's does.
- ListJobs filters by status, targetSelection, namespaceId and thingGroupName (moto ignores them).
- jobProcessDetails counts the executions as they are (numberOfQueuedThings, ...InProgress...,
  Succeeded, Failed, Rejected, Canceled, TimedOut, Removed), and a SNAPSHOT job whose executions
  have all ended is COMPLETED (completedAt set).
- abortConfig is applied as executions end: at the threshold the job is CANCELED with a reasonCode
  saying which criteria, and its queued executions with it.
- CancelJob: a job that has ended (COMPLETED, CANCELED) is refused (InvalidStateTransition);
  its QUEUED executions are CANCELED, its IN_PROGRESS ones carry on unless `force`; executions that
  ended keep their outcome; the job is CANCELED (forceCanceled, reasonCode, comment kept).
- An execution is its thing's first (executionNumber 1) and a queued one has no startedAt.
- CancelJobExecution: an execution that has ended is refused (InvalidStateTransition), an
  IN_PROGRESS one needs `force`; each execution canceled is announced on its thing's notify-next
  topic (scripts/moto/jobs_topics.py), as AWS IoT Jobs announces the next pending one.
"""
import inspect
import json

from moto.core.responses import ActionResult
from moto.iot import models as iot_models
from moto.iot.exceptions import InvalidStateTransitionException
from moto.iot.responses import IoTResponse

import jobs_rollout
import jobs_topics
import registry_events

COUNTERS = {"QUEUED": "numberOfQueuedThings", "IN_PROGRESS": "numberOfInProgressThings", "SUCCEEDED": "numberOfSucceededThings",
            "FAILED": "numberOfFailedThings", "REJECTED": "numberOfRejectedThings", "CANCELED": "numberOfCanceledThings",
            "TIMED_OUT": "numberOfTimedOutThings", "REMOVED": "numberOfRemovedThings"}


def _now():
    return jobs_topics.now()


def _executions(backend, job_id):
    return [(thing, execution) for (job, thing), execution in list(backend.job_executions.items()) if job == job_id]


def _group(backend, arn):
    """The thing group an ARN names (arn:...:thinggroup/NAME), or None."""
    if ":thinggroup/" not in arn:
        return None
    name = arn.split(":thinggroup/", 1)[1]
    return next((g for g in backend.thing_groups.values() if g.thing_group_name == name), None)


def _release(backend, job):
    """What the job's rollout does to reach a thing: its execution made, QUEUED, and the thing
    told when it is its next."""
    def release(name, arn):
        execution = iot_models.FakeJobExecution(job.job_id, arn)
        execution.queued_at = execution.started_at = execution.last_updated_at = _now()
        backend.job_executions[(job.job_id, name)] = execution
        namespace = jobs_topics._namespace(backend, job.job_id)
        if jobs_topics._next(backend, name, namespace) is execution:
            _announce_next(backend, name, namespace)
    return release


def _abort(backend, job, executions):
    """The abort criteria: once at least minNumberOfExecutedThings executions have ended and the
    share of them that ended in the failure type reaches thresholdPercentage, the job is canceled
    (its queued executions too), as AWS IoT aborts a rollout."""
    if job.status != "IN_PROGRESS":
        return
    ended = [e for _, e in executions if e.status in jobs_topics.TERMINAL and e.status != "CANCELED"]
    for criteria in (job.abort_config or {}).get("criteriaList", []):
        kinds = {"FAILED": {"FAILED"}, "REJECTED": {"REJECTED"}, "TIMED_OUT": {"TIMED_OUT"}, "ALL": {"FAILED", "REJECTED", "TIMED_OUT"}}[criteria["failureType"]]
        failed = [e for e in ended if e.status in kinds]
        if len(ended) >= int(criteria["minNumberOfExecutedThings"]) and 100 * len(failed) >= float(criteria["thresholdPercentage"]) * len(ended):
            for thing, execution in executions:
                if execution.status == "QUEUED":
                    _cancel(backend, job, thing, execution, False)
            job.status = "CANCELED"
            job.reason_code = f"{criteria['failureType']}_THRESHOLD_REACHED"
            job.comment = f"aborted: {len(failed)} of {len(ended)} executions {criteria['failureType'].lower()}, at least {criteria['thresholdPercentage']}% of {criteria['minNumberOfExecutedThings']}"
            job.last_updated_at = _now()
            return


def refresh(backend, job):
    """The job's rollout and timeouts as of now (scripts/moto/jobs_rollout.py); the abort criteria
    applied; the counters from its executions; a SNAPSHOT job whose executions all ended completes
    (one refresh at a time: the HTTP server's threads and the device endpoint's both refresh)."""
    with jobs_rollout.LOCK:
        _refresh(backend, job)


def _refresh(backend, job):
    before = job.status
    namespace = jobs_topics._namespace(backend, job.job_id)
    jobs_rollout.advance(_executions(backend, job.job_id), job, _release(backend, job), lambda thing: _announce_next(backend, thing, namespace))
    _abort(backend, job, _executions(backend, job.job_id))
    counts = {name: 0 for name in COUNTERS.values()}
    executions = _executions(backend, job.job_id)
    for _, execution in executions:
        if execution.status in COUNTERS:
            counts[COUNTERS[execution.status]] += 1
    job.job_process_details = {"processingTargets": [thing for thing, e in executions if e.status in ("QUEUED", "IN_PROGRESS")], **counts}
    if job.status == "IN_PROGRESS" and job.target_selection != "CONTINUOUS" and executions \
            and all(e.status in jobs_topics.TERMINAL for _, e in executions) and not job.__dict__.get("_sandbox_pending"):
        job.status = "COMPLETED"
        job.completed_at = _now()
        job.last_updated_at = job.completed_at
    if job.status != before and job.status in ("COMPLETED", "CANCELED"):
        registry_events.job_ended(backend, job)


def _announce_next(backend, thing, namespace):
    following = jobs_topics._next(backend, thing, namespace)
    body = {"timestamp": jobs_topics._now(), **({"execution": jobs_topics._data(backend, following, thing)} if following else {})}
    for announce in jobs_topics._announce:
        announce(backend.account_id, backend.region_name, jobs_topics.notify_next_topic(thing, namespace), json.dumps(body, separators=(",", ":")).encode())


def _cancel(backend, job, thing, execution, force):
    if execution.status in jobs_topics.TERMINAL:
        raise InvalidStateTransitionException(f"The execution of {job.job_id} on {thing} has ended ({execution.status}): it cannot be canceled")
    if execution.status == "IN_PROGRESS" and not force:
        raise InvalidStateTransitionException(f"The execution of {job.job_id} on {thing} is IN_PROGRESS: cancelling it needs force")
    execution.force_canceled = execution.status == "IN_PROGRESS"
    jobs_topics._change(execution, "CANCELED", None)
    _announce_next(backend, thing, jobs_topics._namespace(backend, job.job_id))


def _execution_answers():
    """An execution is its thing's first (executionNumber 1, not moto's 123) and a queued one has
    not started (no startedAt), as AWS answers DescribeJobExecution and the listings."""
    get_dict, summary_dict = iot_models.FakeJobExecution.to_get_dict, iot_models.FakeJobExecution.to_dict

    def to_get_dict(self):
        answer = get_dict(self)
        answer["executionNumber"] = 1
        if self.status == "QUEUED":
            answer.pop("startedAt", None)
        return answer

    def to_dict(self):
        answer = summary_dict(self)
        answer["jobExecutionSummary"]["executionNumber"] = 1
        if self.status == "QUEUED":
            answer["jobExecutionSummary"].pop("startedAt", None)
        return answer

    iot_models.FakeJobExecution.to_get_dict, iot_models.FakeJobExecution.to_dict = to_get_dict, to_dict


def _patch():
    backend = iot_models.IoTBackend
    create, add_member, list_jobs, describe_job = backend.create_job, backend.add_thing_to_thing_group, backend.list_jobs, backend.describe_job

    def create_job(self, job_id, targets, *args, **kwargs):
        given = inspect.signature(jobs_topics._create_job).bind(self, job_id, targets, *args, **kwargs).arguments  # (moto's own signature)
        problem = jobs_rollout.refused(given.get("job_executions_rollout_config"), given.get("abort_config"), given.get("timeout_config"))
        if problem:
            from moto.iot.exceptions import InvalidRequestException
            raise InvalidRequestException(problem)
        created = create(self, job_id, targets, *args, **kwargs)
        job = self.jobs[job_id]
        # A new job is IN_PROGRESS, as AWS's are (moto says QUEUED, which no job is).
        job.status = "IN_PROGRESS"
        # A group's ARN stands for its members (moto made one execution named after the group);
        # its targets are reached as its rollout allows (moto made every execution at once).
        reached = []
        for arn in targets:
            self.job_executions.pop((job_id, arn.split(":")[-1].split("/")[-1]), None)
            group = _group(self, arn)
            members = list(group.things.values()) if group is not None else []
            reached += [(thing.thing_name, thing.arn) for thing in members] if group is not None else [(arn.split("/")[-1], arn)]
        jobs_rollout.start(job, reached, _release(self, job))
        refresh(self, job)
        return created

    def add_thing_to_thing_group(self, thing_group_name, thing_group_arn, thing_name, thing_arn):
        result = add_member(self, thing_group_name, thing_group_arn, thing_name, thing_arn)
        group = self._identify_thing_group(thing_group_name, thing_group_arn)
        thing = self._identify_thing(thing_name, thing_arn)
        # A continuous job of the group reaches a thing that joins it.
        for job in list(self.jobs.values()):
            if job.target_selection == "CONTINUOUS" and job.status == "IN_PROGRESS" and group.arn in job.targets \
                    and (job.job_id, thing.thing_name) not in self.job_executions:
                namespace = jobs_topics._namespace(self, job.job_id)
                jobs_rollout.join(job, (thing.thing_name, thing.arn), _release(self, job), lambda name: _announce_next(self, name, namespace))
        return result

    def describe(self, job_id):
        job = describe_job(self, job_id)
        refresh(self, job)
        return job

    def cancel_job(self, job_id, reason_code, comment, force):
        with jobs_rollout.LOCK:  # (not while a refresh releases its rollout)
            job = describe(self, job_id)
            if job.status in ("COMPLETED", "CANCELED", "DELETION_IN_PROGRESS"):
                raise InvalidStateTransitionException(f"Job {job_id} is {job.status}: it cannot be canceled")
            for thing, execution in _executions(self, job_id):
                if execution.status == "QUEUED" or (execution.status == "IN_PROGRESS" and force):
                    _cancel(self, job, thing, execution, force)
            job.status = "CANCELED"
            job.force = bool(force)
            job.reason_code = reason_code if reason_code is not None else job.reason_code
            job.comment = comment if comment is not None else job.comment
            job.last_updated_at = _now()
            refresh(self, job)
            registry_events.job_ended(self, job)
            return job

    def cancel_job_execution(self, job_id, thing_name, force):
        job = describe(self, job_id)
        execution = self.job_executions.get((job_id, thing_name))
        if execution is None:
            from moto.iot.exceptions import ResourceNotFoundException
            raise ResourceNotFoundException(f"No execution of {job_id} on {thing_name}")
        _cancel(self, job, thing_name, execution, force)
        refresh(self, job)

    backend.create_job, backend.add_thing_to_thing_group = create_job, add_thing_to_thing_group
    backend.describe_job, backend.cancel_job, backend.cancel_job_execution = describe, cancel_job, cancel_job_execution


def list_jobs(self):
    """ListJobs with AWS's filters (moto ignores them), newest first, each job's counts current."""
    status, selection = self._get_param("status"), self._get_param("targetSelection")
    namespace, group = self._get_param("namespaceId"), self._get_param("thingGroupName")
    backend = self.iot_backend
    jobs = []
    for job in sorted(backend.jobs.values(), key=lambda j: j.created_at, reverse=True):
        refresh(backend, job)
        if status and job.status != status or selection and job.target_selection != selection:
            continue
        if namespace is not None and jobs_topics._namespace(backend, job.job_id) != namespace:
            continue
        if group and not any(arn.endswith(f":thinggroup/{group}") for arn in job.targets):
            continue
        jobs.append({"jobArn": job.job_arn, "jobId": job.job_id, "targetSelection": job.target_selection, "status": job.status,
                     "createdAt": job.created_at, "lastUpdatedAt": job.last_updated_at,
                     **({"completedAt": job.completed_at} if job.completed_at else {})})
    max_results = self._get_int_param("maxResults", 50)
    start = int(self._get_param("nextToken") or 0)
    answer = {"jobs": jobs[start:start + max_results]}
    if start + max_results < len(jobs):
        answer["nextToken"] = str(start + max_results)
    return ActionResult(answer)


def _after_device_updates():
    """A device's update over the jobs topics is applied at once to its job (counters, abort,
    completion), as AWS applies it, not when the job is next read."""
    handle = jobs_topics.handle

    def handled(account, region, topic, payload):
        answers = handle(account, region, topic, payload)
        match = jobs_topics.TOPIC.match(topic)
        backend = iot_models.iot_backends[account][region]
        job = backend.jobs.get(match.group("job")) if match and match.group("job") else None
        if job is not None:
            refresh(backend, job)
        return answers

    jobs_topics.handle = handled


def _execution_events(execution):
    _, _, _, region, account, _ = execution.thing_arn.split(":", 5)
    registry_events.execution_ended(account, region, execution.job_id, execution)


_patch()
jobs_topics._ended.append(_execution_events)
_execution_answers()
_after_device_updates()
IoTResponse.list_jobs = list_jobs
