import Foundation
import TestSupport
import Testing

/// `gg deploy` on the sandbox: upstream's deployment.json against the group's current deployment
/// and each device as it is. A component the new revision drops is a removal (kept where another
/// of the device's groups deploys it), a component with no manifest for a device's platform fails
/// there, one that reboots is marked; --preview refuses such a plan for CI; --plan-hash creates
/// exactly what was reviewed; cancelling says who keeps it and who will not get it.
@Suite struct GreengrassDeployTests {
    @Test func upstreamsDeploymentIsAPlanDeviceByDeviceThenARevision() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let suffix = UUID().uuidString.prefix(6).lowercased()
        let (group, other) = ("ggdeploy-\(suffix)", "ggother-\(suffix)")
        let folder = try DeviceEndpointCLITests.TemporaryFolder()
        let made = try DeployAcceptanceTests.boto("""
            import base64, urllib.request
            gg = boto3.client('greengrassv2', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1')
            arn = iot.create_thing_group(thingGroupName='\(group)')['thingGroupArn']
            other = iot.create_thing_group(thingGroupName='\(other)')['thingGroupArn']
            def recipe(name, version, architecture=None, run='echo run'):
                platform = {'os': 'linux', **({'architecture': architecture} if architecture else {})}
                gg.create_component_version(inlineRecipe=json.dumps({'RecipeFormatVersion': '2020-01-25', 'ComponentName': name, 'ComponentVersion': version,
                    'Manifests': [{'Platform': platform, 'Lifecycle': {'run': run}}]}).encode())
            recipe('com.\(suffix).led', '1.0.0')
            recipe('com.\(suffix).led', '1.1.0', architecture='aarch64')
            recipe('com.\(suffix).old', '1.0.0')
            recipe('com.\(suffix).os_update', '1.0.0', run='apt-get update && shutdown -r now')
            def report(thing, architecture, components):
                body = json.dumps({'thing': thing, 'report': json.dumps({'overallDeviceStatus': 'HEALTHY', 'platform': 'linux', 'architecture': architecture,
                    'ggcVersion': '2.12.6', 'messageType': 'COMPLETE',
                    'components': [{'componentName': n, 'version': v, 'isRoot': True, 'status': 'RUNNING'} for n, v in components]})}).encode()
                request = urllib.request.Request(os.environ['AWS_ENDPOINT_URL'] + '/greengrass/v2/sandbox/reports', data=body, method='POST',
                    headers={'Content-Type': 'application/json', 'Authorization': 'AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/greengrass/aws4_request, SignedHeaders=host, Signature=0'})
                urllib.request.urlopen(request).read()
            for thing in ('a', 'b', 'c'):
                iot.create_thing(thingName='\(group)-' + thing)
                iot.add_thing_to_thing_group(thingGroupName='\(group)', thingName='\(group)-' + thing)
            iot.add_thing_to_thing_group(thingGroupName='\(other)', thingName='\(group)-a')
            # a and b take their deployment's job over the jobs topics, with their own certificates.
            account = boto3.client('sts', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1').get_caller_identity()['Account']
            prefix = 'arn:aws:iot:us-east-1:' + account
            iot.create_policy(policyName='\(group)', policyDocument=json.dumps({'Version': '2012-10-17', 'Statement': [
                {'Effect': 'Allow', 'Action': 'iot:Connect', 'Resource': prefix + ':client/${iot:Connection.Thing.ThingName}'},
                {'Effect': 'Allow', 'Action': ['iot:Publish', 'iot:Receive'], 'Resource': prefix + ':topic/$aws/things/${iot:Connection.Thing.ThingName}/jobs/*'}]}))
            for thing in ('a', 'b'):
                cert = iot.create_keys_and_certificate(setAsActive=True)
                iot.attach_policy(policyName='\(group)', target=cert['certificateArn'])
                iot.attach_thing_principal(thingName='\(group)-' + thing, principal=cert['certificateArn'])
                keep_keys(cert, '\(folder.path)/' + thing)
            report('\(group)-a', 'aarch64', [('com.\(suffix).led', '1.0.0'), ('com.\(suffix).old', '1.0.0')])
            report('\(group)-b', 'amd64', [('com.\(suffix).led', '1.0.0'), ('com.\(suffix).old', '1.0.0')])
            gg.create_deployment(targetArn=arn, components={'com.\(suffix).led': {'componentVersion': '1.0.0'}, 'com.\(suffix).old': {'componentVersion': '1.0.0'}})
            gg.create_deployment(targetArn=other, components={'com.\(suffix).old': {'componentVersion': '1.0.0'}})
            # deploy-apps.yml's deployment.json: every component at its latest version, configuration reset, and the CLI.
            open('\(folder.path)/deployment.json', 'w').write(json.dumps({'targetArn': arn, 'deploymentName': 'Deployment from CI/CD pipeline',
                'components': {'aws.greengrass.Cli': {'componentVersion': '2.12.6'},
                               'com.\(suffix).led': {'componentVersion': '1.1.0', 'configurationUpdate': {'reset': ['']}},
                               'com.\(suffix).os_update': {'componentVersion': '1.0.0', 'configurationUpdate': {'reset': ['']}}},
                'deploymentPolicies': {'failureHandlingPolicy': 'ROLLBACK', 'componentUpdatePolicy': {'timeoutInSeconds': 60, 'action': 'NOTIFY_COMPONENTS'},
                                       'configurationValidationPolicy': {'timeoutInSeconds': 60}},
                'iotJobConfiguration': {}}))
            print('ok')
            """)
        try #require(made == "ok")
        func fleetdeck(_ arguments: [String]) throws -> ProcessResult { try ProcessRunner.run(ProcessRunner.fleetdeckBinary, arguments, timeout: 60) }
        let file = folder.path + "/deployment.json"
        // The preview: old goes (from b; a keeps it, the other group deploys it), led 1.1.0 has no
        // manifest for b's amd64, os_update reboots; CI is refused (exit 1).
        let preview = try fleetdeck(["gg", "deploy", file, "--preview", "--json"])
        #expect(preview.status == 1 && preview.stderr.contains("removes com.\(suffix).old from the target's 3 devices"), "\(preview.stderr)")
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(preview.stdout.utf8)) as? [String: Any], "\(preview.stdout)")
        #expect(plan["removals"] as? [String] == ["com.\(suffix).old"] && plan["platformFailures"] as? [String] == ["\(group)-b"]
                && plan["restarting"] as? [String] == ["\(group)-a", "\(group)-b"] && Set(plan["resets"] as? [String] ?? []) == ["com.\(suffix).led", "com.\(suffix).os_update"], "\(plan)")
        let devices = try #require(plan["devices"] as? [[String: Any]])
        let byName = Dictionary(uniqueKeysWithValues: devices.map { ($0["device"] as? String ?? "", $0) })
        #expect(byName["\(group)-a"]?["upgrade"] as? [String] == ["com.\(suffix).led 1.0.0 → 1.1.0"] && byName["\(group)-a"]?["remove"] as? [String] == [])
        #expect(byName["\(group)-b"]?["failing"] as? [String] == ["com.\(suffix).led"] && byName["\(group)-b"]?["remove"] as? [String] == ["com.\(suffix).old"])
        #expect(byName["\(group)-c"]?["notCoreDevice"] as? Bool == true)
        let text = try fleetdeck(["gg", "deploy", file, "--preview"])
        #expect(text.stdout.contains("com.\(suffix).old - 1.0.0 (REMOVED from every device of the target)")
                && text.stdout.contains("\(group)-b: install aws.greengrass.Cli 2.12.6, com.\(suffix).os_update 1.0.0; REMOVE com.\(suffix).old; FAILS: no manifest for its platform in com.\(suffix).led; RESTARTS the device")
                && text.stdout.contains("all 3 devices at once (no rollout rate); no abort threshold"), "\(text.stdout)")
        // A stale hash is refused with the plan as it is; the reviewed one creates revision 2.
        let stale = try fleetdeck(["gg", "deploy", file, "--plan-hash", "sha256:0000000000000000"])
        #expect(stale.status == 1 && stale.stderr.contains("not sha256:0000000000000000"), "\(stale.stderr)")
        let hash = try #require(plan["hash"] as? String)
        let created = try fleetdeck(["gg", "deploy", file, "--plan-hash", hash])
        #expect(created.status == 0 && created.stdout.contains("deployment ") && created.stdout.contains(" created (IoT job "), "\(created.stdout)\(created.stderr)")
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(try fleetdeck(["gg", "deployments", "ls", "--group", group, "--json"]).stdout.utf8)) as? [[String: Any]])
        #expect(listed.count == 1 && listed[0]["revisionId"] as? String == "2" && listed[0]["deploymentStatus"] as? String == "ACTIVE", "\(listed)")
        let id = try #require(listed[0]["deploymentId"] as? String)
        let shown = try fleetdeck(["gg", "deployments", "show", id])
        #expect(shown.stdout.contains("revision 2") && ["a", "b", "c"].allSatisfy { shown.stdout.contains("\(group)-\($0)") }, "\(shown.stdout)")
        // The rollout watched: a takes it, b fails (its platform), c's execution is canceled; each
        // change is a JSON line, and the failures are grouped by what the devices said.
        let job = try #require(created.stdout.split(separator: "\n").first { $0.hasPrefix("deployment ") && $0.contains(" created (IoT job ") }
            .map { String($0.split(separator: "(IoT job ")[1].prefix { $0 != ")" }) })
        let (out, err) = (open(folder.path + "/watch.out", O_WRONLY | O_CREAT | O_TRUNC, 0o600), open(folder.path + "/watch.err", O_WRONLY | O_CREAT | O_TRUNC, 0o600))
        let watcher = try ProcessRunner.spawn(ProcessRunner.fleetdeckBinary, ["gg", "deployments", "watch", id, "--json", "--timeout", "60"],
                                              environment: ProcessRunner.environment([:]), stdout: out, stderr: err)
        close(out)
        close(err)
        let env = ProcessInfo.processInfo.environment
        for (thing, update) in [("a", #"{"status":"SUCCEEDED","statusDetails":{"detailedStatus":"SUCCESSFUL"}}"#),
                                ("b", #"{"status":"FAILED","statusDetails":{"detailedStatus":"FAILED_NO_STATE_CHANGE","failureCause":"No matching platform for com.\#(suffix).led"}}"#)] {
            let published = try fleetdeck(["publish", "$aws/things/\(group)-\(thing)/jobs/\(job)/namespace-aws-gg-deployment/update", update, "--qos", "1",
                                           "--url", env["FLEETDECK_DEVICE_ENDPOINT_URL"]!, "--ca", env["FLEETDECK_MQTT_CA"]!,
                                           "--cert", folder.path + "/\(thing).pem", "--key", folder.path + "/\(thing).key", "--client-id", "\(group)-\(thing)"])
            #expect(published.status == 0, "\(published.stderr)")
        }
        #expect(try fleetdeck(["jobs", "cancel", job, "--thing", "\(group)-c", "--yes"]).status == 0)
        let watched = ProcessRunner.waitForExit(watcher)
        let lines = ((try? String(contentsOfFile: folder.path + "/watch.out", encoding: .utf8)) ?? "").split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let summary = (try? String(contentsOfFile: folder.path + "/watch.err", encoding: .utf8)) ?? ""
        #expect(watched.code == 1 && summary.contains("1 succeeded, 1 failed, 1 canceled") && summary.contains("1 failed: No matching platform for com.\(suffix).led (\(group)-b)"),
                "\(summary)")
        let last = Dictionary(lines.map { ($0["thingName"] as? String ?? "", $0["status"] as? String ?? "") }, uniquingKeysWith: { _, later in later })
        #expect(last == ["\(group)-a": "SUCCEEDED", "\(group)-b": "FAILED", "\(group)-c": "CANCELED"], "\(lines)")
        // Cancelling: a has it and keeps it; nobody is left to not get it.
        let canceled = try fleetdeck(["gg", "deployments", "cancel", id, "--yes"])
        #expect(canceled.status == 0 && canceled.stdout.contains("1 device has it already and keeps it") && canceled.stdout.contains("0 will not get it"),
                "\(canceled.stdout)\(canceled.stderr)")
        let again = try fleetdeck(["gg", "deployments", "cancel", id, "--yes"])
        #expect(again.status == 1 && again.stderr.contains("is CANCELED: only an active deployment can be canceled"), "\(again.stderr)")
        // The same in the dashboard: :deployments, then the rollout with its failures' reason.
        let session = try JobsCommandTests.dashboard(in: folder.path, width: 140)
        try session.sendKeys("-l", ":deployments")
        try session.sendKeys("Enter")
        try session.sendKeys("/")
        try session.sendKeys("-l", group)
        try session.sendKeys("Enter")
        #expect(session.waitFor(timeout: .seconds(20)) { lines in lines.contains { $0.contains("group \(group)") && $0.contains(" 2 ") && $0.contains("CANCELED") }
            && lines.contains { $0.contains("group \(group)") && $0.contains(" 1 ") && $0.contains("INACTIVE") } }, "\(session.screen)")
        try session.sendKeys("Enter")
        #expect(session.waitFor(timeout: .seconds(20)) { lines in lines.contains { $0.contains("1 × No matching platform for com.\(suffix).led") }
            && lines.contains { $0.contains("\(group)-a") && $0.contains("SUCCEEDED") } }, "\(session.screen)")
        // A new revision reviewed in the dashboard: the same plan as the command line's (its
        // hash), b's platform failure marked, the group's name typed to approve, then its rollout.
        let now = try #require(try JSONSerialization.jsonObject(with: Data(try fleetdeck(["gg", "deploy", file, "--preview", "--json"]).stdout.utf8)) as? [String: Any])
        try session.sendKeys("-l", ":deploy \(file)")
        try session.sendKeys("Enter")
        #expect(session.waitFor(timeout: .seconds(20)) { lines in lines.contains { $0.contains("\(group)-b:") && $0.contains("FAILS: no manifest for its platform") } },
                "\(session.screen)")
        #expect(session.screen.contains(" Plan \(now["hash"] as? String ?? "?"): fails on 1 device"), "\(session.screen)")
        try session.sendKeys("-l", "y")
        #expect(session.waitFor(text: "type '\(group)' and enter to deploy to \(group)"), "\(session.screen)")
        try session.sendKeys("-l", group)
        try session.sendKeys("Enter")
        #expect(session.waitFor(timeout: .seconds(20)) { lines in lines.contains { $0.contains("created: its rollout, device by device") }
            && lines.contains { $0.contains("\(group)-a") && $0.contains("QUEUED") } }, "\(session.screen)")
        for _ in 0..<4 { try session.sendKeys("-l", "q") }
        #expect(session.waitFor(text: "EXIT=0"), "\(session.screen)")
        let revisions = try fleetdeck(["gg", "deployments", "ls", "--group", group, "--json"])
        #expect(revisions.stdout.contains("\"revisionId\": \"3\""), "\(revisions.stdout)")
    }

    /// Where the account publishes job execution events, the watch follows them on the MQTT
    /// endpoint (a device's end of its execution is seen through its event, not a later read).
    /// In eu-west-3: the event configuration is the account's, per region.
    @Test func theWatchFollowsJobExecutionEventsWhereTheAccountPublishesThem() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let group = "ggevents-\(UUID().uuidString.prefix(6).lowercased())", region = "eu-west-3"
        let folder = try DeviceEndpointCLITests.TemporaryFolder()
        let made = try DeployAcceptanceTests.boto("""
            iot = boto3.client('iot', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='\(region)')
            gg = boto3.client('greengrassv2', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='\(region)')
            arn = iot.create_thing_group(thingGroupName='\(group)')['thingGroupArn']
            iot.create_thing(thingName='\(group)-a')
            iot.add_thing_to_thing_group(thingGroupName='\(group)', thingName='\(group)-a')
            iot.create_policy(policyName='\(group)', policyDocument=json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': 'iot:*', 'Resource': '*'}]}))
            for name in ('a', 'watcher'):
                cert = iot.create_keys_and_certificate(setAsActive=True)
                iot.attach_policy(policyName='\(group)', target=cert['certificateArn'])
                if name == 'a':
                    iot.attach_thing_principal(thingName='\(group)-a', principal=cert['certificateArn'])
                keep_keys(cert, '\(folder.path)/' + name)
            iot.update_event_configurations(eventConfigurations={'JOB_EXECUTION': {'Enabled': True}, 'JOB': {'Enabled': True}})
            made = gg.create_deployment(targetArn=arn, components={'aws.greengrass.Cli': {'componentVersion': '2.12.6'}})
            print(made['deploymentId'], made['iotJobId'])
            """).split(separator: " ").map(String.init)
        try #require(made.count == 2)
        let env = ProcessInfo.processInfo.environment
        let environment = ProcessRunner.environment(["AWS_REGION": region, "AWS_DEFAULT_REGION": region])
        let (out, err) = (open(folder.path + "/watch.out", O_WRONLY | O_CREAT | O_TRUNC, 0o600), open(folder.path + "/watch.err", O_WRONLY | O_CREAT | O_TRUNC, 0o600))
        let watcher = try ProcessRunner.spawn(ProcessRunner.fleetdeckBinary, ["gg", "deployments", "watch", made[0], "--json", "--timeout", "60",
                                                                             "--url", env["FLEETDECK_DEVICE_ENDPOINT_URL"]!, "--ca", env["FLEETDECK_MQTT_CA"]!,
                                                                             "--cert", folder.path + "/watcher.pem", "--key", folder.path + "/watcher.key"],
                                              environment: environment, stdout: out, stderr: err)
        close(out)
        close(err)
        func said() -> String { (try? String(contentsOfFile: folder.path + "/watch.err", encoding: .utf8)) ?? "" }
        #expect(eventually(timeout: .seconds(30), interval: .milliseconds(100)) { said().contains("following job execution events on ") }, "\(said())")
        let published = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, [
            "publish", "$aws/things/\(group)-a/jobs/\(made[1])/namespace-aws-gg-deployment/update", #"{"status":"SUCCEEDED","statusDetails":{"detailedStatus":"SUCCESSFUL"}}"#,
            "--qos", "1", "--url", env["FLEETDECK_DEVICE_ENDPOINT_URL"]!, "--ca", env["FLEETDECK_MQTT_CA"]!,
            "--cert", folder.path + "/a.pem", "--key", folder.path + "/a.key", "--client-id", "\(group)-a"], environment: environment, timeout: 60)
        #expect(published.status == 0, "\(published.stderr)")
        let watched = ProcessRunner.waitForExit(watcher)
        let lines = ((try? String(contentsOfFile: folder.path + "/watch.out", encoding: .utf8)) ?? "").split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(watched.code == 0 && said().contains("1 succeeded"), "\(said())")
        #expect(lines.map { "\($0["status"] ?? "") via \($0["via"] ?? "")" } == ["QUEUED via read", "SUCCEEDED via event"], "\(lines)")
    }
}
