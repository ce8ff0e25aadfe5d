import Foundation
import TestSupport
import Testing

/// Issue 11's acceptance: `kill -9` at random moments of a 300-resource deploy mixing things,
/// policies, topic rules, roles, functions, certificates and policy attachments (20 rounds), of a
/// replace-heavy update (10) and of an update whose requests are held back by a slow proxy (10),
/// and of the destroy that follows each (20). After each kill the next run converges, and listing
/// the account finds exactly the program's resources: 0 orphaned, 0 duplicated, 0 lost updates.
@Suite struct RandomKillAcceptanceTests {
    static let things = 200, policies = 40, rules = 20, functions = 10

    /// `thingPrefix` "t" or "u" (a rename of every thing: 200 replacements); `version` the things' attribute.
    static func program(_ p: String, thingPrefix: String = "t", version: Int = 1) -> String {
        var text = "name: \(p)\nruntime: yaml\nresources:\n"
        for i in 0..<things {
            text += "  t\(i):\n    type: aws-native:iot:Thing\n    properties:\n      thingName: \(p)-\(thingPrefix)\(i)\n"
                + "      attributePayload:\n        attributes:\n          v: \"\(version)\"\n"
        }
        for i in 0..<policies {
            text += "  p\(i):\n    type: aws-native:iot:Policy\n    properties:\n      policyName: \(p)-p\(i)\n"
                + "      policyDocument: {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"iot:Connect\", \"Resource\": \"c\(i)\"}]}\n"
        }
        for i in 0..<rules {
            text += "  r\(i):\n    type: aws-native:iot:TopicRule\n    properties:\n      ruleName: \(p)_r\(i)\n      topicRulePayload:\n        sql: SELECT * FROM 't/\(i)'\n        actions: []\n"
        }
        for i in 0..<functions {
            text += "  role\(i):\n    type: aws-native:iam:Role\n    properties:\n      roleName: \(p)-role\(i)\n"
                + "      assumeRolePolicyDocument: {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"lambda.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"}]}\n"
            text += "  fn\(i):\n    type: aws-native:lambda:Function\n    properties:\n      functionName: \(p)-fn\(i)\n      runtime: python3.12\n      handler: index.handler\n"
                + "      role: ${role\(i).arn}\n      code:\n        zipFile: \"def handler(e, c):\\n    return \(i)\\n\"\n"
            text += "  cert\(i):\n    type: aws-native:iot:Certificate\n    properties:\n      certificateSigningRequest:\n        fn::readFile: d\(i).csr\n      status: ACTIVE\n"
            text += "  att\(i):\n    type: aws:iot:PolicyAttachment\n    properties:\n      policy: ${p\(i).policyName}\n      target: ${cert\(i).arn}\n"
        }
        return text
    }

    /// What the account holds for the prefix, counted by listing it.
    static func census(_ p: String) throws -> String {
        try DeployAcceptanceTests.boto("""
            from cryptography import x509
            e = os.environ['AWS_ENDPOINT_URL']
            iam = boto3.client('iam', endpoint_url=e, region_name='us-east-1'); lam = boto3.client('lambda', endpoint_url=e, region_name='us-east-1')
            p = '\(p)'
            things = [t for t in all_things() if t['thingName'].startswith(p + '-')]
            names = [t['thingName'] for t in things]
            kinds = sorted(set(n[len(p) + 1] for n in names))
            versions = sorted(set(t.get('attributes', {}).get('v', '') for t in things))
            policies = [x['policyName'] for x in iot.list_policies(pageSize=250)['policies'] if x['policyName'].startswith(p + '-')]
            pversions = sorted(set(len(iot.list_policy_versions(policyName=n)['policyVersions']) for n in policies))
            rules = [r['ruleName'] for r in iot.list_topic_rules(maxResults=250)['rules'] if r['ruleName'].startswith(p + '_')]
            roles = [r['RoleName'] for r in iam.list_roles(MaxItems=1000)['Roles'] if r['RoleName'].startswith(p + '-')]
            functions = [f['FunctionName'] for f in lam.list_functions(MaxItems=1000)['Functions'] if f['FunctionName'].startswith(p + '-')]
            certs, attached = 0, []
            for c in iot.list_certificates(pageSize=250)['certificates']:
                try:
                    d = iot.describe_certificate(certificateId=c['certificateId'])['certificateDescription']
                except iot.exceptions.ResourceNotFoundException:
                    continue
                cn = x509.load_pem_x509_certificate(d['certificatePem'].encode()).subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
                if cn and cn[0].value == p:
                    certs += 1
                    attached.append(len(iot.list_attached_policies(target=d['certificateArn'])['policies']))
            print(len(names), len(set(names)), ''.join(kinds) or '-', ','.join(versions) or '-', len(policies), ','.join(map(str, pversions)) or '-',
                  len(rules), len(roles), len(functions), certs, ','.join(map(str, sorted(set(attached)))) or '-')
            """)
    }

    static func expected(thingPrefix: String = "t", version: Int = 1) -> String {
        "\(things) \(things) \(thingPrefix) \(version) \(policies) 1 \(rules) \(functions) \(functions) \(functions) 1"
    }

    static func journalLines(_ path: String) -> Int {
        (try? String(contentsOfFile: path, encoding: .utf8))?.split(separator: "\n").count ?? 0
    }

    /// Runs `arguments` and kills it with SIGKILL once its journal holds `moment` records (or it ended).
    static func killed(_ arguments: [String], project: DeployAcceptanceTests.Project, environment: [String: String?], journal: String, moment: Int) throws {
        let quiet = open("/dev/null", O_WRONLY)
        defer { close(quiet) }
        let pid = try ProcessRunner.spawn(ProcessRunner.fleetdeckBinary, arguments + ["-C", project.folder, "-s", "dev"],
                                          environment: ProcessRunner.environment(environment), stdout: quiet, stderr: quiet)
        var exited = false
        _ = eventually(timeout: .seconds(120), interval: .milliseconds(2)) {
            exited = exited || waitpid(pid, nil, WNOHANG) == pid
            return exited || journalLines(journal) >= moment
        }
        if !exited {
            kill(pid, SIGKILL)
            _ = ProcessRunner.waitForExit(pid)
        }
    }

    @Test(arguments: 0..<20)
    func killDashNineDuringDeployUpdateAndDestroyConverges(round: Int) throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        var random = SplitMix(seed: UInt64(round) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
        let p = "rk\(round)\(UUID().uuidString.prefix(4).lowercased())"
        let project = try DeployAcceptanceTests.Project(program: Self.program(p))
        for i in 0..<Self.functions {
            let csr = try ProcessRunner.shell("cd \(project.folder) && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout d\(i).key -out d\(i).csr -subj /CN=\(p) 2>&1")
            #expect(csr.status == 0, "\(csr.stdout)")
        }
        let journal = "\(project.folder)/state/.pulumi/stacks/\(p)/dev.journal"
        func converge(_ what: String, _ moment: Int, expected: String) throws {
            let resumed = try project.fleetdeck(what == "destroy" ? ["destroy", "--yes"] : ["up", "--yes"], timeout: 300)
            #expect(resumed.status == 0, "round \(round), \(what) killed after \(moment) records: \(resumed.stdout.suffix(2000)) \(resumed.stderr)")
            #expect(try Self.census(p) == expected, "round \(round), \(what) killed after \(moment) records")
            #expect(!FileManager.default.fileExists(atPath: journal), "round \(round): a journal is left after \(what)")
        }

        // The deploy (600 journal records).
        let deployMoment = random.next(upTo: 600) + 1
        try Self.killed(["up", "--yes"], project: project, environment: project.environment, journal: journal, moment: deployMoment)
        try converge("deploy", deployMoment, expected: Self.expected())
        #expect(try project.fleetdeck(["preview", "--expect-no-changes"]).status == 0)

        if round % 2 == 0 {
            // Replace-heavy: every thing renamed (create the new one, then delete the old).
            try Self.program(p, thingPrefix: "u").write(toFile: project.folder + "/Pulumi.yaml", atomically: true, encoding: .utf8)
            let moment = random.next(upTo: 800) + 1
            try Self.killed(["up", "--yes"], project: project, environment: project.environment, journal: journal, moment: moment)
            try converge("replace-heavy update", moment, expected: Self.expected(thingPrefix: "u"))
        } else {
            // Updates whose requests a slow proxy holds back: killed while they are in flight.
            try Self.program(p, version: 2).write(toFile: project.folder + "/Pulumi.yaml", atomically: true, encoding: .utf8)
            let proxy = try SlowProxy(folder: project.folder, delayMS: 100)
            defer { proxy.stop() }
            var environment = project.environment
            environment["http_proxy"] = proxy.url
            let moment = random.next(upTo: 400) + 1
            try Self.killed(["up", "--yes"], project: project, environment: environment, journal: journal, moment: moment)
            try converge("held-back update", moment, expected: Self.expected(version: 2))
        }
        #expect(try project.fleetdeck(["preview", "--expect-no-changes"]).status == 0)

        // The destroy (600 journal records).
        let destroyMoment = random.next(upTo: 600) + 1
        try Self.killed(["destroy", "--yes"], project: project, environment: project.environment, journal: journal, moment: destroyMoment)
        try converge("destroy", destroyMoment, expected: "0 0 - - 0 - 0 0 0 0 -")
    }
}
