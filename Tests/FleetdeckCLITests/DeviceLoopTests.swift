import Foundation
import TestSupport
import Testing

/// The reference architecture's device loop on the sandbox, with the example deployed as
/// upstream's workflows deploy it (fleet setup, up, fleet setup) and Fleetdeck's simulator doing
/// the device side over the device endpoint: provisioning by claim through the stack's template
/// and hook, then an on-demand audit whose finding runs the stack's functions and rotates the
/// short-lived certificates. In eu-north-1: the account's audit configuration is one per region.
@Suite(.serialized) struct DeviceLoopTests {
    static let region = "eu-north-1"

    static func boto(_ script: String) throws -> String {
        try DeployAcceptanceTests.boto("iot = boto3.client('iot', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='\(region)')\n" + script)
    }

    @Test func twentyFiveListedDevicesProvisionByClaimTwoAreRefusedAndAnAuditRotatesTheShortLived() throws {
        let env = ProcessInfo.processInfo.environment
        try #require(env["FLEETDECK_DEVICE_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fd-loop-\(UUID().uuidString.prefix(6))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(try ProcessRunner.shell("cp -r \(ProcessRunner.packageRoot.path)/examples/iot-ref-arch \(folder) && rm \(folder)/Pulumi.*.yaml").status == 0)
        let bucket = "loop-certs-\(UUID().uuidString.prefix(5).lowercased())"
        // IAM names are the account's (global): this run's own, so other runs' stacks keep theirs.
        let iam = ["tesRoleName", "tesPolicyName", "hookRoleName", "hookPolicyName", "fleetRoleName", "auditActionsRoleName", "auditActionsPolicyName",
                   "auditRoleName", "auditPolicyName", "rotateCertRoleName", "rotateCertPolicyName", "revokeCertRoleName", "revokeCertPolicyName"]
            .map { "  iot-ref-arch:\($0): loop-\($0)-\(bucket.suffix(5))\n" }.joined()
        try ("config:\n  iot-ref-arch:aws-account-id: \"123456789012\"\n  iot-ref-arch:aws-region: \(Self.region)\n  iot-ref-arch:certBucketName: \(bucket)\n"
             + "  iot-ref-arch:osBucketName: \(bucket)-images\n" + iam).write(toFile: folder + "/Pulumi.dev.yaml", atomically: true, encoding: .utf8)
        let prefix = "LOOP\(UUID().uuidString.prefix(4))"
        let listed = (1...25).map { String(format: "\(prefix)-%04d", $0) }, unlisted = ["\(prefix)-0026", "\(prefix)-0027"]
        try (listed.joined(separator: "\n") + "\n").write(toFile: folder + "/allowlist.txt", atomically: true, encoding: .utf8)
        let environment = ProcessRunner.environment(["PULUMI_CONFIG_PASSPHRASE": "loop", "FLEETDECK_BACKEND_URL": "file://\(folder)/state",
                                                     "AWS_REGION": Self.region, "AWS_DEFAULT_REGION": Self.region])
        func fleetdeck(_ arguments: [String], timeout: TimeInterval = 300) throws -> ProcessResult {
            try ProcessRunner.run(ProcessRunner.fleetdeckBinary, arguments + ["-C", folder, "-s", "dev"], environment: environment, timeout: timeout)
        }
        let setup = ["fleet", "setup", "--bucket", bucket, "--allowlist", folder + "/allowlist.txt", "--yes"]
        for step in [setup, ["up", "--yes"], setup] {
            let result = try fleetdeck(step)
            try #require(result.status == 0, "\(step): \(result.stdout)\(result.stderr)")
        }
        defer { _ = try? fleetdeck(["destroy", "--yes", "--cleanup"]) }

        // The first five certificates the account issues now expire in 10 days (a sandbox control).
        #expect(try Self.boto("""
            import urllib.request
            request = urllib.request.Request(os.environ['AWS_ENDPOINT_URL'] + '/sandbox/short-lived-certificates', data=b'{"count":5,"days":10}', method='POST',
                headers={'Content-Type': 'application/json', 'Authorization': 'AWS4-HMAC-SHA256 Credential=testing/20260101/\(Self.region)/iot/aws4_request, SignedHeaders=host, Signature=0'})
            print(urllib.request.urlopen(request).status)
            """) == "200")

        // The simulator boots the 27 as upstream's devices do, from the device image in the bucket.
        let keys = folder + "/devices", log = folder + "/simulate.log", started = Int(Date().timeIntervalSince1970) - 1
        let fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let serials = (listed + unlisted).flatMap { ["--serial", $0] }
        let pid = try ProcessRunner.spawn(ProcessRunner.fleetdeckBinary, ["simulate", "--claim-bucket", bucket, "--keys", keys, "--yes", "--rate", "0.2",
                                                                         "--duration", "600", "-C", folder] + serials, environment: environment, stderr: fd)
        close(fd)
        defer {
            kill(pid, SIGTERM)
            _ = ProcessRunner.waitForExit(pid)
        }
        func said() -> String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        #expect(eventually(timeout: .seconds(180), interval: .milliseconds(200)) { said().contains("simulate: 25 of 27 serial numbers provisioned") }, "\(said())")
        for serial in unlisted {
            #expect(said().contains("\(serial): refused: $aws/provisioning-templates/GreengrassFleetProvisioningTemplate/provision/json rejected: 403 AccessDenied"), "\(said())")
        }
        #expect(eventually(timeout: .seconds(60), interval: .milliseconds(200)) { listed.allSatisfy { said().contains("\($0): connected with its own certificate") } }, "\(said())")
        #expect(!said().contains("PRIVATE KEY"))
        // The attempts as the hook's log (CloudWatch Logs) says them, tied to the allowlist.
        let attempts = try fleetdeck(["fleet", "attempts", "--json"])
        let answered = try #require(try JSONSerialization.jsonObject(with: Data(attempts.stdout.utf8)) as? [[String: Any]], "\(attempts.stdout)\(attempts.stderr)")
            .filter { ($0["serialNumber"] as? String)?.hasPrefix(prefix) == true }
        #expect(attempts.status == 0 && answered.count == 27, "\(attempts.stdout)\(attempts.stderr)")
        #expect(Set(answered.filter { $0["admitted"] as? Bool == true && $0["listed"] as? Bool == true }.compactMap { $0["serialNumber"] as? String }) == Set(listed))
        #expect(Set(answered.filter { $0["admitted"] as? Bool == false && $0["listed"] as? Bool == false && $0["reason"] as? String == "not on the allowlist" }
            .compactMap { $0["serialNumber"] as? String }) == Set(unlisted), "\(answered)")
        let modes = try ProcessRunner.shell("stat -c '%a' \(keys)/\(prefix)-0001.private.pem.key \(keys)/\(prefix)-0001.pem.crt").stdout
        #expect(modes == "600\n600\n", "\(modes)")

        // Exactly the 25, each in GreengrassGroup with the thing policy on its own certificate.
        let registry = """
            mine = sorted(t['thingName'] for t in all_things() if t['thingName'].startswith('\(prefix)-'))
            def own(thing):
                principals = iot.list_thing_principals(thingName=thing)['principals']
                return [(iot.describe_certificate(certificateId=p.split('/')[-1])['certificateDescription'], [x['policyName'] for x in iot.list_attached_policies(target=p)['policies']]) for p in principals]

            """
        #expect(try Self.boto(registry + """
            groups = {t: [g['groupName'] for g in iot.list_thing_groups_for_thing(thingName=t)['thingGroups']] for t in mine}
            certificates = {t: own(t) for t in mine}
            print(len(mine), all(g == ['GreengrassGroup'] for g in groups.values()),
                  all(len(c) == 1 and c[0][0]['status'] == 'ACTIVE' and c[0][1] == ['GreengrassV2IoTThingPolicy'] for c in certificates.values()),
                  len({c[0][0]['certificateId'] for c in certificates.values()}))
            """) == "25 True True 25")

        // The claim files are gone from the devices once they asked (as upstream's provision.sh
        // deletes them); the claim certificate, from the bucket, can provision and nothing else.
        #expect(!FileManager.default.fileExists(atPath: keys + "/claim.pem.crt") && !FileManager.default.fileExists(atPath: keys + "/claim.private.pem.key"))
        #expect(try Self.boto("""
            s3 = boto3.client('s3', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='\(Self.region)')
            for key in ('claim.pem.crt', 'claim.private.pem.key'):
                open('\(folder)/' + key, 'wb').write(s3.get_object(Bucket='\(bucket)', Key=key)['Body'].read())
            print('ok')
            """) == "ok")
        let claim = ["--url", env["FLEETDECK_DEVICE_ENDPOINT_URL"]!, "--cert", folder + "/claim.pem.crt", "--key", folder + "/claim.private.pem.key",
                     "--client-id", "\(prefix)-0026"]
        let claimPublish = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["publish", "device/\(prefix)-0001/telemetry", "{}", "--qos", "1"] + claim,
                                                 environment: environment, timeout: 30)
        #expect(claimPublish.status != 0 && claimPublish.stderr.contains("closed the connection instead of acknowledging the message"), "\(claimPublish.stderr)")

        // An on-demand audit finds the five short-lived certificates; the stack's functions
        // rotate them through the devices; the old ones are revoked (then deleted, as upstream's
        // revocation does) and none is left unattached.
        let before = try Self.boto(registry + """
            print(json.dumps({t: [c['certificateId'] for c, _ in own(t) if not c['validity']['notAfter'].year == 2049] for t in mine}))
            """)
        let shortLived = try #require(try JSONSerialization.jsonObject(with: Data(before.utf8)) as? [String: [String]]).filter { !$0.value.isEmpty }
        #expect(shortLived.count == 5, "\(before)")
        // certs ls finds exactly them within 30 days (and none within 5), flagged as expiring; the
        // two the hook refused are PENDING_ACTIVATION and unattached.
        func certificates(_ flags: [String]) throws -> [[String: Any]] {
            let listed = try fleetdeck(["certs", "ls", "--json"] + flags)
            return try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]], "\(listed.stdout)\(listed.stderr)")
        }
        // (this run's devices': another run's in this sandbox may still be there)
        let expiring = try certificates(["--expiring", "30"]).filter { (($0["things"] as? [String]) ?? []).contains { $0.hasPrefix(prefix) } }
        #expect(Set(expiring.compactMap { $0["certificateId"] as? String }) == Set(shortLived.values.flatMap { $0 }), "\(expiring)")
        #expect(expiring.allSatisfy { ($0["flags"] as? [String])?.contains("expiring") == true && ($0["daysLeft"] as? Int).map { (8...10).contains($0) } == true
            && ($0["policies"] as? [String]) == ["GreengrassV2IoTThingPolicy"] }, "\(expiring)")
        #expect(try certificates(["--expiring", "5"]).filter { (($0["things"] as? [String]) ?? []).contains { $0.hasPrefix(prefix) } }.isEmpty)
        let pending = try certificates(["--status", "PENDING_ACTIVATION", "--unattached"])
        #expect(pending.filter { (($0["flags"] as? [String]) ?? []).contains("unattached") }.count >= 2, "\(pending)")
        // certs rotation listens to the chain (as operators' tools connect: the endpoint
        // DescribeEndpoint names, wss on 443 signed with SigV4) while the audit runs.
        let watching = folder + "/rotation.json", watchLog = folder + "/rotation.err"
        let (out, err) = (open(watching, O_WRONLY | O_CREAT | O_TRUNC, 0o600), open(watchLog, O_WRONLY | O_CREAT | O_TRUNC, 0o600))
        var operatorEnvironment = environment
        for key in ["FLEETDECK_MQTT_URL", "FLEETDECK_MQTT_CERT", "FLEETDECK_MQTT_KEY"] { operatorEnvironment[key] = nil }
        let watcher = try ProcessRunner.spawn(ProcessRunner.fleetdeckBinary, ["certs", "rotation", "--watch", "20", "--json", "-C", folder],
                                              environment: operatorEnvironment, stdout: out, stderr: err)
        close(out)
        close(err)
        var reaped = false
        defer { if !reaped { kill(watcher, SIGTERM); _ = ProcessRunner.waitForExit(watcher) } }
        #expect(eventually(timeout: .seconds(20)) { ((try? String(contentsOfFile: watchLog, encoding: .utf8)) ?? "").contains("certs rotation: listening to") },
                "\((try? String(contentsOfFile: watchLog, encoding: .utf8)) ?? "")")
        let audit = try fleetdeck(["audit", "start", "--checks", "DEVICE_CERTIFICATE_EXPIRING_CHECK", "--yes"])
        #expect(audit.status == 0 && audit.stdout.contains("DEVICE_CERTIFICATE_EXPIRING_CHECK: COMPLETED_NON_COMPLIANT (5 non-compliant of "), "\(audit.stdout)\(audit.stderr)")
        // The task and its findings, as `audit ls` and `audit findings` give them: each finding
        // names the certificate and its device.
        let line = try #require(audit.stdout.split(separator: "\n").first { $0.hasPrefix("audit task ") })
        let task = String(line.split(separator: " ")[2].dropLast())
        let tasks = try fleetdeck(["audit", "ls", "--json"])
        #expect(tasks.status == 0 && tasks.stdout.contains("\"taskId\": \"\(task)\"") && tasks.stdout.contains("\"taskType\": \"ON_DEMAND_AUDIT_TASK\""),
                "\(tasks.stdout)\(tasks.stderr)")
        let findings = try fleetdeck(["audit", "findings", task, "--json"])
        // Without a task: the newest one's (this one's: the region is this test's own).
        let newest = try fleetdeck(["audit", "findings", "--json"])
        #expect(newest.stdout == findings.stdout && newest.stderr.contains("of task \(task), the newest"), "\(newest.stderr)")
        let found = try #require(try JSONSerialization.jsonObject(with: Data(findings.stdout.utf8)) as? [[String: Any]], "\(findings.stdout)\(findings.stderr)")
        #expect(found.count == 5 && Set(found.compactMap { ($0["things"] as? [String])?.first }) == Set(shortLived.keys)
                && found.allSatisfy { $0["severity"] as? String == "MEDIUM" && $0["isSuppressed"] as? Bool == false
                    && ($0["reasonForNonCompliance"] as? String)?.hasPrefix("Certificate expires on ") == true }, "\(findings.stdout)")
        #expect(eventually(timeout: .seconds(120), interval: .milliseconds(200)) {
            shortLived.keys.allSatisfy { said().contains("\($0): took its new certificate") }
        }, "\(said())")
        let rotated = """
            old = \(String(decoding: try JSONSerialization.data(withJSONObject: shortLived), as: UTF8.self))
            def done(thing):
                mine = own(thing)
                return len(mine) == 1 and mine[0][0]['status'] == 'ACTIVE' and mine[0][0]['certificateId'] not in old[thing] and mine[0][1] == ['GreengrassV2IoTThingPolicy']

            """
        #expect(eventually(timeout: .seconds(60), interval: .milliseconds(250)) { (try? Self.boto(registry + rotated + "print(all(done(t) for t in old))")) == "True" })
        let leftovers = try Self.boto(registry + rotated + """
            import botocore
            gone = []
            for ids in old.values():
                for i in ids:
                    try:
                        iot.describe_certificate(certificateId=i)
                    except botocore.exceptions.ClientError as e:
                        gone.append(e.response['Error']['Code'])
            # The certificates issued since the devices booted but the claim (other runs' claim certificates stay):
            # none unattached but the two the refused devices were given before the hook said no,
            # which stay PENDING_ACTIVATION (they cannot connect).
            claim = open('\(folder)/claim.pem.crt').read().strip()
            issued = [c for c in iot.list_certificates(pageSize=1000)['certificates'] if c['creationDate'].timestamp() >= \(started)
                      and iot.describe_certificate(certificateId=c['certificateId'])['certificateDescription']['certificatePem'].strip() != claim]
            unattached = [c['status'] for c in issued if not iot.list_principal_things(principal=c['certificateArn'])['things']]
            print(gone.count('ResourceNotFoundException'), unattached)
            """)
        #expect(leftovers == "5 ['PENDING_ACTIVATION', 'PENDING_ACTIVATION']", "\(leftovers)")
        // Each old certificate was revoked (UpdateCertificate REVOKED, by the revocation function) before it was deleted.
        let moto = (try? String(contentsOfFile: (env["FLEETDECK_SANDBOX_DIR"] ?? "") + "/moto.log", encoding: .utf8)) ?? ""
        for id in shortLived.values.flatMap({ $0 }) {
            #expect(moto.contains("PUT /certificates/\(id)?newStatus=REVOKED"), "\(id)")
        }
        // certs rotation saw each of the five through every step to "old revoked".
        #expect(ProcessRunner.waitForExit(watcher).code == 0)
        reaped = true
        let watched = try #require(try JSONSerialization.jsonObject(with: Data(((try? String(contentsOfFile: watching, encoding: .utf8)) ?? "").utf8)) as? [[String: Any]],
                                   "\((try? String(contentsOfFile: watchLog, encoding: .utf8)) ?? "")")
        let done = watched.filter { $0["step"] as? String == "old revoked" && $0["stuck"] as? Bool == false }.compactMap { $0["thingName"] as? String }
        #expect(Set(done) == Set(shortLived.keys), "\(watched)")
        // certs rotate asks one device again: it rotates once more, to another certificate.
        let again = try #require(shortLived.keys.sorted().first)
        let current = try Self.boto(registry + "print(own('\(again)')[0][0]['certificateId'])")
        let asked = try fleetdeck(["certs", "rotate", again, "--yes"])
        #expect(asked.status == 0 && asked.stdout.contains("\(again): asked (device/\(again)/csr_req)"), "\(asked.stdout)\(asked.stderr)")
        #expect(eventually(timeout: .seconds(60), interval: .milliseconds(250)) {
            let now = try? Self.boto(registry + "m = own('\(again)')\nprint(len(m), m[0][0]['certificateId'], m[0][0]['status'])")
            return now.map { $0.hasPrefix("1 ") && !$0.contains(current) && $0.hasSuffix(" ACTIVE") } ?? false
        })
        // Each rotated device connected again, with its new certificate, to acknowledge it.
        for thing in shortLived.keys {
            #expect(said().components(separatedBy: "\(thing): connected with its own certificate").count == (thing == again ? 4 : 3), "\(thing): \(said())")
        }
    }
}
