import Foundation
import Testing
import TestSupport

/// `fleetdeck jobs` against the sandbox, whose jobs behave as AWS's: a job to a thing group
/// reaches its members, its counts follow the executions (a device takes it over the jobs
/// topics), and cancelling is a plan that says which devices carry on and which will not get it.
@Suite struct JobsCommandTests {
    /// The dashboard on the sandbox's account, outside a project (the fleet screens only).
    static func dashboard(in folder: String, width: Int) throws -> TmuxSession {
        let env = ProcessInfo.processInfo.environment
        var environment: [String: String] = [:]
        for key in ["AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"] { environment[key] = env[key] }
        return try TmuxSession("cd \(folder) && \(ProcessRunner.fleetdeckBinary); echo EXIT=$?; sleep 600", width: width, height: 30, environment: environment)
    }

    @Test func aGroupsJobListedWatchedAndCanceledAsAPlan() throws {
        try #require(ProcessInfo.processInfo.environment["FLEETDECK_DEVICE_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let folder = try DeviceEndpointCLITests.TemporaryFolder()
        let suffix = UUID().uuidString.prefix(6).lowercased()
        let (group, job) = ("jobs-\(suffix)", "job-\(suffix)")
        // Three devices in a group (the first with its own certificate and the jobs topics
        // allowed), and a job to the group.
        let made = try DeployAcceptanceTests.boto("""
            iot = boto3.client('iot', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name=os.environ['AWS_REGION'])
            account = boto3.client('sts', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name=os.environ['AWS_REGION']).get_caller_identity()['Account']
            prefix = 'arn:aws:iot:' + os.environ['AWS_REGION'] + ':' + account
            thing = '${iot:Connection.Thing.ThingName}'
            iot.create_policy(policyName='\(group)', policyDocument=json.dumps({'Version': '2012-10-17', 'Statement': [
                {'Effect': 'Allow', 'Action': 'iot:Connect', 'Resource': prefix + ':client/' + thing},
                {'Effect': 'Allow', 'Action': ['iot:Publish', 'iot:Receive'], 'Resource': prefix + ':topic/$aws/things/' + thing + '/jobs/*'}]}))
            arn = iot.create_thing_group(thingGroupName='\(group)')['thingGroupArn']
            for n in range(3):
                iot.create_thing(thingName='\(group)-%d' % n)
                iot.add_thing_to_thing_group(thingGroupName='\(group)', thingName='\(group)-%d' % n)
            made = iot.create_keys_and_certificate(setAsActive=True)
            iot.attach_policy(policyName='\(group)', target=made['certificateArn'])
            iot.attach_thing_principal(thingName='\(group)-0', principal=made['certificateArn'])
            keep_keys(made, '\(folder.path)/device')
            iot.create_job(jobId='\(job)', targets=[arn], document=json.dumps({'operation': 'update'}), description='firmware 2.1')
            iot.create_job_template(jobTemplateId='\(job)-template', description='firmware rollout', document=json.dumps({'operation': 'update'}),
                                    jobExecutionsRolloutConfig={'maximumPerMinute': 5}, timeoutConfig={'inProgressTimeoutInMinutes': 20},
                                    abortConfig={'criteriaList': [{'failureType': 'FAILED', 'action': 'CANCEL', 'thresholdPercentage': 10, 'minNumberOfExecutedThings': 3}]})
            print('ok')
            """)
        try #require(made == "ok")
        func fleetdeck(_ arguments: [String]) throws -> ProcessResult {
            try ProcessRunner.run(ProcessRunner.fleetdeckBinary, arguments, timeout: 60)
        }
        func json(_ result: ProcessResult) throws -> Any {
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        }
        let listed = try #require(try json(try fleetdeck(["jobs", "ls", "--group", group, "--json"])) as? [[String: Any]])
        #expect(listed.count == 1 && listed[0]["jobId"] as? String == job && listed[0]["status"] as? String == "IN_PROGRESS"
                && (listed[0]["jobProcessDetails"] as? [String: Int])?["numberOfQueuedThings"] == 3, "\(listed)")
        // The first device takes it, saying how far it got.
        let env = ProcessInfo.processInfo.environment
        let took = try fleetdeck(["publish", "$aws/things/\(group)-0/jobs/\(job)/update", #"{"status":"IN_PROGRESS","statusDetails":{"step":"download"}}"#, "--qos", "1",
                                  "--url", env["FLEETDECK_DEVICE_ENDPOINT_URL"]!, "--ca", env["FLEETDECK_MQTT_CA"]!,
                                  "--cert", folder.path + "/device.pem", "--key", folder.path + "/device.key", "--client-id", "\(group)-0"])
        #expect(took.status == 0, "\(took.stderr)")
        let executions = try fleetdeck(["jobs", "executions", job])
        #expect(executions.stdout.contains("\(group)-0") && executions.stdout.contains("IN_PROGRESS") && executions.stdout.contains("step=download")
                && executions.stdout.hasSuffix("2 queued, 1 in progress\n"), "\(executions.stdout)\(executions.stderr)")
        // Without a terminal and without --yes, nothing is canceled.
        let unasked = try fleetdeck(["jobs", "cancel", job])
        #expect(unasked.status != 0 && unasked.stderr.contains("pass --yes"), "\(unasked.stderr)")
        // The plan: two devices will not get it, the one in progress carries on.
        let canceled = try fleetdeck(["jobs", "cancel", job, "--comment", "wrong image", "--yes"])
        #expect(canceled.status == 0 && canceled.stdout.contains("2 queued: canceled, they will not run (\(group)-1, \(group)-2)")
                && canceled.stdout.contains("1 in progress: carry on to their end (--force stops them) (\(group)-0)")
                && canceled.stdout.hasSuffix("job \(job): CANCELED; executions: 1 in progress, 2 canceled\n"), "\(canceled.stdout)\(canceled.stderr)")
        // One device's execution in progress stops only with --force; what ended cannot be canceled.
        let unforced = try fleetdeck(["jobs", "cancel", job, "--thing", "\(group)-0", "--yes"])
        #expect(unforced.status != 0 && unforced.stderr.contains("only --force stops it"), "\(unforced.stderr)")
        let forced = try fleetdeck(["jobs", "cancel", job, "--thing", "\(group)-0", "--force", "--yes"])
        #expect(forced.status == 0 && forced.stdout.contains("1 in progress: STOPPED where they are"), "\(forced.stdout)\(forced.stderr)")
        let again = try fleetdeck(["jobs", "cancel", job, "--yes"])
        #expect(again.status != 0 && again.stderr.contains("job \(job) is CANCELED: there is nothing to cancel"), "\(again.stderr)")
        let shown = try #require(try json(try fleetdeck(["jobs", "show", job, "--json"])) as? [String: Any])
        #expect(shown["status"] as? String == "CANCELED" && shown["comment"] as? String == "wrong image" && shown["description"] as? String == "firmware 2.1"
                && (shown["jobProcessDetails"] as? [String: Int])?["numberOfCanceledThings"] == 3, "\(shown)")
        // The job templates operators make jobs from, with their rollout.
        let templates = try #require(try json(try fleetdeck(["jobs", "templates", "--json"])) as? [[String: Any]])
        let template = templates.first { $0["jobTemplateId"] as? String == "\(job)-template" }
        #expect(template?["description"] as? String == "firmware rollout"
                && template?["rollout"] as? String == "5 devices a minute; abort when 10.0% of at least 3 failed; each device times out after 20 min", "\(templates)")
        // The same in the dashboard: :jobs, the job, its executions device by device.
        let session = try Self.dashboard(in: folder.path, width: 120)
        try session.sendKeys("-l", ":jobs")
        try session.sendKeys("Enter")
        try session.sendKeys("/")
        try session.sendKeys("-l", job)
        try session.sendKeys("Enter")
        #expect(session.waitFor(timeout: .seconds(20)) { lines in lines.contains { $0.contains(job) && $0.contains("CANCELED") && $0.contains("3 canceled") } },
                "\(session.screen)")
        try session.sendKeys("Enter")
        #expect(session.waitFor { lines in (0..<3).allSatisfy { n in lines.contains { $0.contains("\(group)-\(n)") && $0.contains("CANCELED") } }
            && lines.contains { $0.contains("\(group)-0") && $0.contains("step=download") } }, "\(session.screen)")
        // Back on the jobs, t: the templates.
        try session.sendKeys("Escape")
        try session.sendKeys("-l", "t")
        try session.sendKeys("/")
        try session.sendKeys("-l", "\(job)-template")
        try session.sendKeys("Enter")
        #expect(session.waitFor(timeout: .seconds(20)) { lines in lines.contains { $0.contains("\(job)-template") && $0.contains("firmware rollout") && $0.contains("5 devices a minute") } },
                "\(session.screen)")
        for _ in 0..<3 { try session.sendKeys("-l", "q") }
        #expect(session.waitFor(text: "EXIT=0"), "\(session.screen)")
    }
}
