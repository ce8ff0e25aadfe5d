"""IoT Jobs' rollout rates and timeouts on the sandbox's clock (scripts/moto/jobs_rollout.py):
a job's targets get their executions as its rate allows, minute by minute; executions in progress
past their timeout are TIMED_OUT. The clock moves with the sandbox control `POST /sandbox/clock`."""
import json
import re
import os
import urllib.error
import urllib.request
import uuid

import boto3
import botocore.config
import pytest

from test_device_endpoint import IOT, PREFIX, TIMEOUT, events_watcher, group_of_devices, mqtt, report_execution


def advance(minutes):
    control = urllib.request.Request(os.environ["AWS_ENDPOINT_URL"] + "/sandbox/clock", data=json.dumps({"advanceMinutes": minutes}).encode(),
                                     method="POST", headers={"Content-Type": "application/json", "Authorization":
                                                             f"AWS4-HMAC-SHA256 Credential=testing/20260101/{os.environ['AWS_REGION']}/iot/aws4_request, SignedHeaders=host, Signature=0"})
    return json.loads(urllib.request.urlopen(control, timeout=30).read())


def executions(job):
    return {e["thingArn"].split("/")[-1]: e["jobExecutionSummary"]["status"] for e in IOT.list_job_executions_for_job(jobId=job)["executionSummaries"]}


def test_a_rollout_reaches_its_targets_at_its_rate_and_a_canceled_one_stops():
    """maximumPerMinute 2 over 5 devices: 2 at once, 4 a minute on; canceled then, the fifth
    never gets it."""
    _, group_arn, devices = group_of_devices("rate", 5)
    job = f"job-{uuid.uuid4().hex[:8]}"
    IOT.create_job(jobId=job, targets=[group_arn], document="{}", jobExecutionsRolloutConfig={"maximumPerMinute": 2})
    assert list(executions(job).values()) == ["QUEUED"] * 2
    advance(1)
    assert list(executions(job).values()) == ["QUEUED"] * 4
    assert IOT.describe_job(jobId=job)["job"]["jobProcessDetails"]["numberOfQueuedThings"] == 4
    IOT.cancel_job(jobId=job)
    advance(1)
    assert list(executions(job).values()) == ["CANCELED"] * 4


def test_an_exponential_rollout_speeds_up_as_things_are_notified():
    """baseRatePerMinute 1, ×2 each time 2 more things were notified: 1, 2, 4, then the rest."""
    _, group_arn, _ = group_of_devices("exponential", 7)
    job = f"job-{uuid.uuid4().hex[:8]}"
    IOT.create_job(jobId=job, targets=[group_arn], document="{}", jobExecutionsRolloutConfig={"exponentialRate": {
        "baseRatePerMinute": 1, "incrementFactor": 2, "rateIncreaseCriteria": {"numberOfNotifiedThings": 2}}})
    reached = [len(executions(job))]
    for _ in range(3):
        advance(1)
        reached.append(len(executions(job)))
    assert reached == [1, 2, 4, 7]


def test_executions_in_progress_past_their_timeout_time_out():
    """inProgressTimeoutInMinutes 10: an execution in progress times out 10 minutes after it
    started, one with stepTimeoutInMinutes 2 two minutes after its update; a queued one does not
    (its timer starts when it does); the counters and the abort criteria see TIMED_OUT."""
    _, group_arn, devices = group_of_devices("timeout", 3)
    job = f"job-{uuid.uuid4().hex[:8]}"
    IOT.create_job(jobId=job, targets=[group_arn], document="{}", timeoutConfig={"inProgressTimeoutInMinutes": 10})
    (first, first_made), (second, second_made), (queued, _) = devices
    report_execution(first, first_made, job, "IN_PROGRESS")
    report_execution(second, second_made, job, "IN_PROGRESS", stepTimeoutInMinutes=2)
    advance(3)
    assert executions(job) == {first: "IN_PROGRESS", second: "TIMED_OUT", queued: "QUEUED"}
    advance(8)
    assert executions(job) == {first: "TIMED_OUT", second: "TIMED_OUT", queued: "QUEUED"}
    details = IOT.describe_job(jobId=job)["job"]["jobProcessDetails"]
    assert (details["numberOfTimedOutThings"], details["numberOfQueuedThings"]) == (2, 1)
    assert IOT.describe_job_execution(jobId=job, thingName=second)["execution"]["status"] == "TIMED_OUT"


def test_the_clock_and_step_timeouts_refuse_what_makes_no_sense():
    for wrong in (0, -5, "ten", 20000):
        with pytest.raises(urllib.error.HTTPError) as refused:
            advance(wrong)
        assert refused.value.code == 400 and b"advanceMinutes" in refused.value.read()


def test_job_and_execution_events_reach_subscribers_when_the_account_enables_them():
    """JOB_EXECUTION and JOB events (off until enabled): an execution's end on
    $aws/events/jobExecution/JOB/STATUS, the job's on $aws/events/job/JOB/STATUS."""
    _, group_arn, devices = group_of_devices("events", 2)
    watcher = events_watcher()
    quiet, job = f"job-{uuid.uuid4().hex[:8]}", f"job-{uuid.uuid4().hex[:8]}"
    try:
        for topic in (f"$aws/events/jobExecution/{quiet}/+", f"$aws/events/jobExecution/{job}/+", f"$aws/events/job/{job}/+"):
            watcher.connection.subscribe(topic, mqtt.QoS.AT_LEAST_ONCE, watcher.on_message)[0].result(TIMEOUT)
        (first, first_made), (second, second_made) = devices
        # Off: an execution ending is no event.
        IOT.update_event_configurations(eventConfigurations={"JOB": {"Enabled": False}, "JOB_EXECUTION": {"Enabled": False}})
        IOT.create_job(jobId=quiet, targets=[group_arn], document="{}")
        report_execution(first, first_made, quiet, "SUCCEEDED")
        IOT.update_event_configurations(eventConfigurations={"JOB": {"Enabled": True}, "JOB_EXECUTION": {"Enabled": True}})
        IOT.create_job(jobId=job, targets=[group_arn], document="{}")
        report_execution(first, first_made, job, "FAILED", statusDetails={"failureCause": "disk full"})
        report_execution(second, second_made, job, "SUCCEEDED")
        assert watcher.wait_for(3)
        events = [(topic, json.loads(payload)) for topic, payload in watcher.messages]
        assert [topic for topic, _ in events] == [f"$aws/events/jobExecution/{job}/failed", f"$aws/events/jobExecution/{job}/succeeded",
                                                  f"$aws/events/job/{job}/completed"], events
        failed, succeeded, completed = (body for _, body in events)
        assert (failed["eventType"], failed["status"], failed["statusDetails"], failed["thingArn"].endswith(f"/{first}")) \
            == ("JOB_EXECUTION", "FAILED", {"failureCause": "disk full"}, True)
        assert succeeded["operation"] == "succeeded" and completed["eventType"] == "JOB" and completed["status"] == "COMPLETED"
        assert completed["jobProcessDetails"]["numberOfFailedThings"] == 1
    finally:
        IOT.update_event_configurations(eventConfigurations={"JOB": {"Enabled": False}, "JOB_EXECUTION": {"Enabled": False}})
        watcher.close()


@pytest.mark.parametrize("configuration, said", [
    ({"jobExecutionsRolloutConfig": {"maximumPerMinute": 0}}, "maximumPerMinute must be from 1 to 1000"),
    ({"jobExecutionsRolloutConfig": {"exponentialRate": {"baseRatePerMinute": 5, "incrementFactor": 7, "rateIncreaseCriteria": {"numberOfNotifiedThings": 2}}}},
     "incrementFactor must be from 1.1 to 5"),
    ({"jobExecutionsRolloutConfig": {"exponentialRate": {"baseRatePerMinute": 5, "incrementFactor": 2, "rateIncreaseCriteria": {}}}}, "rateIncreaseCriteria needs one of"),
    ({"abortConfig": {"criteriaList": [{"failureType": "FAILED", "action": "CANCEL", "thresholdPercentage": 150, "minNumberOfExecutedThings": 1}]}},
     "thresholdPercentage in (0, 100]"),
    ({"timeoutConfig": {"inProgressTimeoutInMinutes": 20000}}, "inProgressTimeoutInMinutes must be from 1 to 10080"),
])
def test_a_rollout_aws_would_refuse_is_refused_and_makes_nothing(configuration, said):
    """(boto3's own checks off: the sandbox refuses what reaches it, as AWS does.)"""
    job = f"job-{uuid.uuid4().hex[:8]}"
    unchecked = boto3.client("iot", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"],
                             config=botocore.config.Config(parameter_validation=False))
    with pytest.raises(IOT.exceptions.InvalidRequestException, match=re.escape(said)):
        unchecked.create_job(jobId=job, targets=[f"{PREFIX}:thing/nobody"], document="{}", **configuration)
    with pytest.raises(IOT.exceptions.ResourceNotFoundException):
        IOT.describe_job(jobId=job)
