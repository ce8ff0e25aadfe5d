@testable import Console
import FleetValues
import TermCore
import MQTT
import Testing

/// AWS IoT jobs on screen: the jobs with their counts, a job's executions device by device
/// (followed while any runs), cancel as a plan, and stopping one device's execution only with
/// its name typed.
@Suite struct JobsScreenTests {
    static let now: Int64 = 1_796_000_000
    static let jobs = [
        Job(id: "firmware-2-1", status: "IN_PROGRESS", targetSelection: "CONTINUOUS", targets: ["arn:aws:iot:us-east-1:123456789012:thinggroup/GreengrassGroup"],
            created: now - 120, counts: ["QUEUED": 1, "IN_PROGRESS": 1, "SUCCEEDED": 1, "FAILED": 1]),
        Job(id: "reboot-all", status: "COMPLETED", targetSelection: "SNAPSHOT", targets: ["arn:aws:iot:us-east-1:123456789012:thing/GG-0001"],
            created: now - 86_400, counts: ["SUCCEEDED": 1]),
    ]
    static let executions = [
        JobExecution(job: "firmware-2-1", thing: "GG-0001", status: "SUCCEEDED", updated: now - 60),
        JobExecution(job: "firmware-2-1", thing: "GG-0002", status: "FAILED", details: ["reason": "checksum mismatch"], updated: now - 50),
        JobExecution(job: "firmware-2-1", thing: "GG-0003", status: "IN_PROGRESS", details: ["step": "download"], updated: now - 10),
        JobExecution(job: "firmware-2-1", thing: "GG-0004", status: "QUEUED"),
    ]

    @Test func jobsThenExecutionsThenCancelAndStop() throws {
        var state = DashboardState(project: "fleet", theme: DashboardTests.theme)
        (state.rows, state.columns) = (24, 120)
        var commands: [DashboardCommand] = []
        for character in ":jobs\n" { commands = Dashboard.update(&state, .key(.character(character))) }
        #expect(commands == [JobsScreen.jobs.command])
        _ = Dashboard.update(&state, JobsScreen.jobs.answered(Self.jobs))
        let lines = Dashboard.view(state, rows: 24, columns: 120).lines
        #expect(lines[1].contains("2 jobs, 1 in progress"), "\(lines[1])")
        #expect(lines.contains { $0.contains("firmware-2-1") && $0.contains("group Greengra") && $0.contains("1 queued, 1 in progress, 1 succeeded, 1 failed") },
                "\(lines)")
        try DashboardTests().check("jobs-120x24", Dashboard.view(state, rows: 24, columns: 120))
        // A job's executions, read again while any runs.
        #expect(Dashboard.update(&state, .key(.key(.enter))) == [JobsScreen.executions("firmware-2-1")])
        // Followed: read again in 5 s, and the account's job events subscribed (once).
        #expect(Dashboard.update(&state, JobsScreen.executions.answered("firmware-2-1", .success(Rollout(executions: Self.executions, waiting: ["GG-0005"]))))
                == [.timer(JobsScreen.timer, seconds: 5), .subscribe(JobsScreen.eventTopics)])
        #expect(Dashboard.update(&state, JobsScreen.executions.answered("firmware-2-1", .success(Rollout(executions: Self.executions, waiting: ["GG-0005"]))))
                == [.timer(JobsScreen.timer, seconds: 5)])
        // A job execution event of this job: read now, once until answered; another job's: nothing.
        let event = Message(topic: "$aws/events/jobExecution/firmware-2-1/succeeded", payload: Array("{}".utf8))
        #expect(Dashboard.update(&state, .received([(Message(topic: "$aws/events/jobExecution/other/failed", payload: []), 1)])).isEmpty)
        #expect(Dashboard.update(&state, .received([(event, 1)])) == [JobsScreen.executions("firmware-2-1")])
        #expect(Dashboard.update(&state, .received([(event, 2)])).isEmpty)
        _ = Dashboard.update(&state, JobsScreen.executions.answered("firmware-2-1", .success(Rollout(executions: Self.executions, waiting: ["GG-0005"]))))
        let executions = Dashboard.view(state, rows: 24, columns: 120).lines
        #expect(executions[1].contains("1 queued, 1 in progress, 1 succeeded, 1 failed, 1 not reached yet (the rollout's rate) · job IN_PROGRESS, group Greengr"),
                "\(executions[1])")
        #expect(executions[2].contains("1 × checksum mismatch"), "\(executions[2])")
        #expect(executions.contains { $0.contains("GG-0005") && $0.contains("NOT REACHED") && $0.contains("the rollout reaches it at its rate") }, "\(executions)")
        #expect(executions.contains { $0.contains("GG-0002") && $0.contains("FAILED") && $0.contains("reason=checksum mismatch") })
        try DashboardTests().check("job-executions-120x24", Dashboard.view(state, rows: 24, columns: 120))
        #expect(Dashboard.update(&state, .timer(JobsScreen.timer)) == [JobsScreen.executions("firmware-2-1")])
        // Enter: the device's deployments and components; esc comes back to the rollout.
        #expect(Dashboard.update(&state, .key(.key(.enter))) == [CoreScreen.detail("GG-0001")] && state.screen == .core("GG-0001"))
        _ = Dashboard.update(&state, .key(.key(.escape)))
        #expect(state.screen == .job("firmware-2-1") && Dashboard.view(state, rows: 24, columns: 120).lines.contains { $0.contains("GG-0002") })
        // C: the plan says who will not get it and who carries on; y cancels.
        _ = Dashboard.update(&state, .key(.character("C")))
        #expect(state.notice == "y to cancel job firmware-2-1: 1 queued will not run, 1 not reached yet never will be, 1 in progress carry on, 2 ended keep their outcome; any other key: no")
        #expect(Dashboard.update(&state, .key(.character("y"))) == [JobsScreen.cancel(JobsScreen.JobTarget(job: "firmware-2-1", thing: nil))])
        #expect(Dashboard.update(&state, JobsScreen.cancel.answered(JobsScreen.JobTarget(job: "firmware-2-1", thing: nil), .success("job firmware-2-1 canceled")))
                == [JobsScreen.executions("firmware-2-1"), JobsScreen.jobs.command])
        // F on a device that is not running says what it does; on the one in progress, its name is typed.
        _ = Dashboard.update(&state, .key(.character("j")))
        _ = Dashboard.update(&state, .key(.character("F")))
        #expect(state.notice == "GG-0002's execution is FAILED: F stops one in progress")
        _ = Dashboard.update(&state, .key(.character("j")))
        _ = Dashboard.update(&state, .key(.character("F")))
        #expect(state.notice?.hasPrefix("type 'GG-0003' and enter to STOP GG-0003's execution of firmware-2-1 where it is") == true, "\(state.notice ?? "")")
        _ = Dashboard.update(&state, .key(.character("y")))
        #expect(Dashboard.update(&state, .key(.key(.enter))).isEmpty && state.notice == "not done: 'y' is not 'GG-0003' (the name is typed exactly)")
        _ = Dashboard.update(&state, .key(.character("F")))
        for character in "GG-0003" { _ = Dashboard.update(&state, .key(.character(character))) }
        #expect(Dashboard.update(&state, .key(.key(.enter))) == [JobsScreen.cancel(JobsScreen.JobTarget(job: "firmware-2-1", thing: "GG-0003"))])
        // A job that has ended has nothing to cancel; read-only refuses.
        _ = Dashboard.update(&state, .key(.key(.escape)))
        _ = Dashboard.update(&state, .key(.character("j")))
        _ = Dashboard.update(&state, .key(.key(.enter)))
        _ = Dashboard.update(&state, JobsScreen.executions.answered("reboot-all", .success(Rollout(executions: [JobExecution(job: "reboot-all", thing: "GG-0001", status: "SUCCEEDED")]))))
        _ = Dashboard.update(&state, .key(.character("C")))
        #expect(state.notice == "job reboot-all is COMPLETED: there is nothing to cancel" && state.confirming == nil)
    }
}
