import FleetValues
import Foundation
import TestSupport
import Testing

/// Triage of deployments that do not move (`gg deployments stuck`): a device still doing an
/// older revision (its job was canceled by the next revision, the device carried on) is listed
/// with why; --cancel force-cancels it as a plan; --redeploy deploys the target's latest
/// deployment again as a new revision.
@Suite struct GreengrassTriageTests {
    @Test func aDeviceBehindANewerRevisionIsListedForceCanceledAndRedeployed() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let group = "ggstuck-\(UUID().uuidString.prefix(6).lowercased())"
        let folder = try DeviceEndpointCLITests.TemporaryFolder()
        let first = try DeployAcceptanceTests.boto("""
            gg = boto3.client('greengrassv2', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1')
            arn = iot.create_thing_group(thingGroupName='\(group)')['thingGroupArn']
            iot.create_policy(policyName='\(group)', policyDocument=json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': 'iot:*', 'Resource': '*'}]}))
            for thing in ('a', 'b'):
                iot.create_thing(thingName='\(group)-' + thing)
                iot.add_thing_to_thing_group(thingGroupName='\(group)', thingName='\(group)-' + thing)
            cert = iot.create_keys_and_certificate(setAsActive=True)
            iot.attach_policy(policyName='\(group)', target=cert['certificateArn'])
            iot.attach_thing_principal(thingName='\(group)-a', principal=cert['certificateArn'])
            keep_keys(cert, '\(folder.path)/a')
            made = gg.create_deployment(targetArn=arn, deploymentName='tools', components={'aws.greengrass.Cli': {'componentVersion': '2.12.6'}})
            print(made['deploymentId'], made['iotJobId'])
            """).split(separator: " ").map(String.init)
        try #require(first.count == 2)
        let env = ProcessInfo.processInfo.environment
        func fleetdeck(_ arguments: [String]) throws -> ProcessResult { try ProcessRunner.run(ProcessRunner.fleetdeckBinary, arguments, timeout: 60) }
        // a starts revision 1 and never finishes it; revision 2 replaces it (its job canceled:
        // b's queued execution goes, a's in progress carries on).
        let started = try fleetdeck(["publish", "$aws/things/\(group)-a/jobs/\(first[1])/namespace-aws-gg-deployment/update", #"{"status":"IN_PROGRESS"}"#, "--qos", "1",
                                     "--url", env["FLEETDECK_DEVICE_ENDPOINT_URL"]!, "--ca", env["FLEETDECK_MQTT_CA"]!,
                                     "--cert", folder.path + "/a.pem", "--key", folder.path + "/a.key", "--client-id", "\(group)-a"])
        #expect(started.status == 0, "\(started.stderr)")
        _ = try DeployAcceptanceTests.boto("""
            gg = boto3.client('greengrassv2', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1')
            arn = iot.describe_thing_group(thingGroupName='\(group)')['thingGroupArn']
            gg.create_deployment(targetArn=arn, deploymentName='tools', components={'aws.greengrass.Cli': {'componentVersion': '2.13.0'}})
            """)
        let listed = try fleetdeck(["gg", "deployments", "stuck", "--group", group])
        #expect(listed.status == 1 && listed.stdout.contains("1 stuck execution") && listed.stderr.contains("--cancel or --redeploy makes a plan"), "\(listed.stdout)\(listed.stderr)")
        let row = listed.stdout.split(separator: "\n").first { $0.hasPrefix("\(group)-a") }
        #expect(row?.contains(first[0]) == true && row?.contains("IN_PROGRESS behind revision 2") == true, "\(listed.stdout)")
        // The same on the dashboard's :stuck (an hour's wait is not stuck yet; behind a newer
        // revision is).
        let session = try JobsCommandTests.dashboard(in: folder.path, width: 120)
        try session.sendKeys("-l", ":stuck")
        try session.sendKeys("Enter")
        try session.sendKeys("/")
        try session.sendKeys("-l", group)
        try session.sendKeys("Enter")
        #expect(session.waitFor(timeout: .seconds(30)) { lines in lines.contains { $0.contains("\(group)-a") && $0.contains("IN_PROGRESS behind revision 2") } },
                "\(session.screen)")
        for _ in 0..<3 { try session.sendKeys("-l", "q") }
        #expect(session.waitFor(text: "EXIT=0"), "\(session.screen)")
        // Force-cancelled as a plan; then nothing is stuck.
        let canceled = try fleetdeck(["gg", "deployments", "stuck", "--group", group, "--cancel", "--yes"])
        #expect(canceled.status == 0 && canceled.stdout.contains("Force-cancel 1 execution") && canceled.stdout.contains("\(group)-a: IN_PROGRESS of revision 1")
                && canceled.stdout.contains("1 execution force-canceled"), "\(canceled.stdout)\(canceled.stderr)")
        let after = try fleetdeck(["gg", "deployments", "stuck", "--group", group, "--json"])
        #expect(after.status == 0 && after.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", "\(after.stdout)\(after.stderr)")
        let execution = try fleetdeck(["jobs", "executions", first[1]])
        #expect(execution.stdout.split(separator: "\n").contains { $0.contains("\(group)-a") && $0.contains("CANCELED") }, "\(execution.stdout)")
        // Redeployed: the latest deployment again, planned, as revision 3.
        let stuckNow = try fleetdeck(["gg", "deployments", "stuck", "--group", group, "--older-than", "0", "--json"])
        let items = try #require(try JSONSerialization.jsonObject(with: Data(stuckNow.stdout.utf8)) as? [[String: Any]], "\(stuckNow.stdout)")
        #expect(Set(items.compactMap { $0["thingName"] as? String }) == ["\(group)-a", "\(group)-b"] && items.allSatisfy { $0["revisionId"] as? String == "2" }, "\(items)")
        let redeployed = try fleetdeck(["gg", "deployments", "stuck", "--group", group, "--older-than", "0", "--redeploy", "--yes"])
        #expect(redeployed.status == 0 && redeployed.stdout.contains("replaces deployment ") && redeployed.stdout.contains("aws.greengrass.Cli = 2.13.0")
                && redeployed.stdout.contains(" created (IoT job "), "\(redeployed.stdout)\(redeployed.stderr)")
        let revisions = try fleetdeck(["gg", "deployments", "ls", "--group", group, "--json"])
        #expect(revisions.stdout.contains("\"revisionId\": \"3\""), "\(revisions.stdout)")
    }

    /// Why an execution is stuck, at a given moment: behind the latest revision, waiting past the
    /// operator's limit, past its job's timeout; an execution that ended never is.
    @Test func whyAnExecutionIsStuck() {
        let old = DeploymentSummary(id: "d1", name: "n", target: "arn:aws:iot:us-east-1:1:thinggroup/G", revision: "1", status: "INACTIVE", latest: false, created: 0, job: "j1")
        var latest = old
        (latest.revision, latest.latest) = ("2", true)
        let running = JobExecution(job: "j1", thing: "t", status: "IN_PROGRESS", queued: 1_000, started: 1_100)
        #expect(StuckExecution.why(running, of: old, latest: "2", limit: 3600, timeout: nil, now: 1_200) == "IN_PROGRESS behind revision 2")
        #expect(StuckExecution.why(running, of: latest, latest: "2", limit: 3600, timeout: nil, now: 1_200) == nil)
        #expect(StuckExecution.why(running, of: latest, latest: "2", limit: 3600, timeout: nil, now: 1_100 + 7_500) == "IN_PROGRESS for 2 h 5 min")
        #expect(StuckExecution.why(running, of: latest, latest: "2", limit: 36_000, timeout: 30, now: 1_100 + 1_800) == "IN_PROGRESS past its 30 min timeout")
        let queued = JobExecution(job: "j1", thing: "t", status: "QUEUED", queued: 1_000)
        #expect(StuckExecution.why(queued, of: old, latest: "2", limit: 60, timeout: 30, now: 1_030) == "QUEUED behind revision 2")
        #expect(StuckExecution.why(queued, of: old, latest: "2", limit: 60, timeout: 30, now: 1_090) == "QUEUED behind revision 2; QUEUED for 1 min")
        #expect(StuckExecution.why(queued, of: latest, latest: "2", limit: 60, timeout: 30, now: 1_030) == nil)
        #expect(StuckExecution.why(JobExecution(job: "j1", thing: "t", status: "SUCCEEDED"), of: old, latest: "2", limit: 0, timeout: nil, now: 9_999) == nil)
    }
}
