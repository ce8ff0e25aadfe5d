import Foundation
import TestSupport
import Testing

/// Issue 26's kill -9 scenario: 20 certificates from CSRs, 20 policies and 20 rules; `up --yes
/// --parallel 8` killed 4 times at random moments 0.2-1.5 s in, then `up` until it succeeds.
/// After each round the account holds exactly the program's resources (0 duplicated, 0 orphaned,
/// 0 lost), the state names the certificates the account has, and the plan is empty.
/// `FLEETDECK_KILL_ROUNDS=50 ./scripts/test --filter CertificateKillTests` runs the 50.
@Suite struct CertificateKillTests {
    static let count = 20
    static let rounds = ProcessInfo.processInfo.environment["FLEETDECK_KILL_ROUNDS"].flatMap(Int.init) ?? 4

    /// `version` changes every policy's document and every rule's SQL: each run has work to do.
    static func program(_ p: String, version: Int = 0) -> String {
        var text = "name: \(p)\nruntime: yaml\nresources:\n"
        for i in 0..<count {
            text += "  cert\(i):\n    type: aws-native:iot:Certificate\n    properties:\n      certificateSigningRequest:\n        fn::readFile: d\(i).csr\n      status: ACTIVE\n"
            text += "  p\(i):\n    type: aws-native:iot:Policy\n    properties:\n      policyName: \(p)-p\(i)\n"
                + "      policyDocument: {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"iot:Connect\", \"Resource\": \"c\(i)-v\(version)\"}]}\n"
            text += "  r\(i):\n    type: aws-native:iot:TopicRule\n    properties:\n      ruleName: \(p)_r\(i)\n      topicRulePayload:\n        sql: SELECT * FROM 't/\(i)/v\(version)'\n        actions: []\n"
        }
        return text
    }

    /// Certificates (by CN), policies and rules of the prefix in the account, and the
    /// certificate ids sorted.
    static func census(_ p: String) throws -> (certificates: [String], policies: Int, rules: Int) {
        let text = try DeployAcceptanceTests.boto("""
            from cryptography import x509
            ids = []
            for c in iot.list_certificates(pageSize=250)['certificates']:
                try:
                    d = iot.describe_certificate(certificateId=c['certificateId'])['certificateDescription']
                except iot.exceptions.ResourceNotFoundException:
                    continue
                names = x509.load_pem_x509_certificate(d['certificatePem'].encode()).subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
                if names and names[0].value == '\(p)':
                    ids.append(d['certificateId'])
            policies = [x for x in iot.list_policies(pageSize=250)['policies'] if x['policyName'].startswith('\(p)-')]
            rules = [r for r in iot.list_topic_rules(maxResults=250)['rules'] if r['ruleName'].startswith('\(p)_')]
            print(len(policies), len(rules), ' '.join(sorted(ids)))
            """)
        let parts = text.split(separator: " ").map(String.init)
        return (Array(parts.dropFirst(2)), Int(parts.first ?? "") ?? -1, Int(parts.dropFirst().first ?? "") ?? -1)
    }

    @Test(arguments: 0..<rounds)
    func killedFourTimesThenUpConvergesWithoutDuplicates(round: Int) throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        var random = SplitMix(seed: UInt64(round) &* 0x2545_F491_4F6C_DD1D &+ 7)
        let p = "ck\(round)\(UUID().uuidString.prefix(4).lowercased())"
        let project = try DeployAcceptanceTests.Project(program: Self.program(p))
        let csrs = (0..<Self.count).map { "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout d\($0).key -out d\($0).csr -subj /CN=\(p)" }
        let made = try ProcessRunner.shell("cd \(project.folder) && " + csrs.joined(separator: " 2>/dev/null && ") + " 2>&1")
        try #require(made.status == 0, "\(made.stdout)")
        let quiet = open("/dev/null", O_WRONLY)
        defer { close(quiet) }
        var killed = 0
        var ended: [Int32] = []
        var latest = 1.5
        for attempt in 0..<4 {
            try Self.program(p, version: attempt).write(toFile: project.folder + "/Pulumi.yaml", atomically: true, encoding: .utf8)
            let pid = try ProcessRunner.spawn(ProcessRunner.fleetdeckBinary, ["up", "--yes", "--parallel", "8", "-C", project.folder, "-s", "dev"],
                                              environment: ProcessRunner.environment(project.environment), stdout: quiet, stderr: quiet)
            // 0.2-1.5 s in; once a run has ended by itself (an idle machine deploys fast), the
            // next moments fall within how long that run took, so every round kills.
            let moment = 0.2 + Double(random.next(upTo: max(50, Int((latest - 0.2) * 1000)))) / 1000
            var status: Int32 = 0
            let started = ContinuousClock.now
            let exited = eventually(timeout: .milliseconds(Int(moment * 1000)), interval: .milliseconds(10)) { waitpid(pid, &status, WNOHANG) == pid }
            if exited {
                ended.append(status)
                let took = ContinuousClock.now - started
                latest = min(latest, Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18)
            }
            if !exited {
                kill(pid, SIGKILL)
                _ = ProcessRunner.waitForExit(pid)
                killed += 1
            }
        }
        #expect(killed > 0, "round \(round): every run ended before its kill (statuses \(ended))")
        #expect(ended.allSatisfy { $0 == 0 }, "round \(round): a run that was not killed failed (statuses \(ended))")
        var converged = false
        for _ in 0..<3 where !converged {
            converged = try project.fleetdeck(["up", "--yes", "--parallel", "8"], timeout: 300).status == 0
        }
        #expect(converged, "round \(round): up did not succeed after the kills")
        let census = try Self.census(p)
        #expect(census.certificates.count == Self.count && census.policies == Self.count && census.rules == Self.count,
                "round \(round): \(census.certificates.count) certificates, \(census.policies) policies, \(census.rules) rules")
        let state = try project.fleetdeck(["stack", "export"]).stdout
        #expect(census.certificates.allSatisfy { state.contains("\"\($0)\"") }, "round \(round): a certificate in the account is not in the state")
        #expect(try project.fleetdeck(["preview", "--expect-no-changes"]).status == 0, "round \(round): the plan is not empty")
        #expect(try project.fleetdeck(["destroy", "--yes"], timeout: 300).status == 0)
        #expect(try Self.census(p).certificates.isEmpty)
    }
}
