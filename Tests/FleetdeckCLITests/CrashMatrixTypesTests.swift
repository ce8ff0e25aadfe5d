import Foundation
import TestSupport
import Testing

/// Issue 11's crash matrix beyond things: policies (an update is a new version), topic rules,
/// IAM roles, Lambda functions, certificates made from a CSR and the attachments that join them.
/// Every step kind times every crash point; the next `up` must converge, and boto3 must then see
/// exactly the program's resources with the program's values (no orphan, no duplicate, no stale
/// value, no extra policy version).
@Suite struct CrashMatrixTypesTests {
    /// One kind of resource under test: the program in each variant, and what boto3 sees.
    struct Family: Sendable {
        var name: String
        /// The logical name the crash targets.
        var target: String
        /// The program: `version` 1 or 2 (the main property), `renamed` (a replace), `without` (a delete).
        var program: @Sendable (_ prefix: String, _ version: Int, _ renamed: Bool, _ without: Bool) -> String
        /// A Python snippet printing what the account holds for the prefix, one line per resource.
        var inspect: @Sendable (_ prefix: String) -> String
        /// What `inspect` prints for a variant.
        var expected: @Sendable (_ prefix: String, _ version: Int, _ renamed: Bool, _ without: Bool) -> String
        var kinds: [String] = ["create", "update", "replace", "delete"]
        /// Files the program reads, made in the project folder first.
        var setup: (@Sendable (_ folder: String, _ prefix: String) throws -> Void)? = nil
    }

    /// A certificate from a CSR (status ACTIVE, or INACTIVE in version 2), a policy attached to it
    /// and a thing it is the principal of; `without` drops `dropping` (and what depends on it).
    static func certificateProgram(_ prefix: String, version: Int, without: Bool, dropping: String) -> String {
        var text = """
            name: \(prefix)
            runtime: yaml
            resources:
              pol:
                type: aws-native:iot:Policy
                properties:
                  policyName: \(prefix)-pol
                  policyDocument: {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"}]}
              device:
                type: aws-native:iot:Thing
                properties:
                  thingName: \(prefix)-device

            """
        let dropped: Set<String> = !without ? [] : dropping == "cert" ? ["cert", "attach", "principal"] : [dropping]
        if !dropped.contains("cert") {
            text += """
                  cert:
                    type: aws-native:iot:Certificate
                    properties:
                      certificateSigningRequest:
                        fn::readFile: device.csr
                      status: \(version == 1 ? "ACTIVE" : "INACTIVE")

                """
        }
        if !dropped.contains("attach") {
            text += "  attach:\n    type: aws:iot:PolicyAttachment\n    properties:\n      policy: ${pol.policyName}\n      target: ${cert.arn}\n"
        }
        if !dropped.contains("principal") {
            text += "  principal:\n    type: aws:iot:ThingPrincipalAttachment\n    properties:\n      thing: ${device.thingName}\n      principal: ${cert.arn}\n"
        }
        return text
    }

    static func certificateFamily(_ name: String, target: String, kinds: [String]) -> Family {
        Family(name: name, target: target, program: { prefix, version, _, without in
            certificateProgram(prefix, version: version, without: without, dropping: target)
        }, inspect: { prefix in """
            from cryptography import x509
            for c in iot.list_certificates(pageSize=250)['certificates']:
                try:  # other tests delete their certificates meanwhile
                    d = iot.describe_certificate(certificateId=c['certificateId'])['certificateDescription']
                except iot.exceptions.ResourceNotFoundException:
                    continue
                cn = x509.load_pem_x509_certificate(d['certificatePem'].encode()).subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
                if cn and cn[0].value == '\(prefix)':
                    policies = sorted(p['policyName'] for p in iot.list_attached_policies(target=d['certificateArn'])['policies'])
                    things = sorted(iot.list_principal_things(principal=d['certificateArn'])['things'])
                    print('cert', d['status'], ','.join(policies) or '-', ','.join(things) or '-')
            """
        }, expected: { prefix, version, _, without in
            let dropped: Set<String> = !without ? [] : target == "cert" ? ["cert", "attach", "principal"] : [target]
            if dropped.contains("cert") { return "" }
            return "cert \(version == 1 ? "ACTIVE" : "INACTIVE") \(dropped.contains("attach") ? "-" : "\(prefix)-pol") \(dropped.contains("principal") ? "-" : "\(prefix)-device")"
        }, kinds: kinds, setup: { folder, prefix in
            let csr = try ProcessRunner.shell("cd \(folder) && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout device.key -out device.csr -subj /CN=\(prefix) 2>&1")
            #expect(csr.status == 0, "\(csr.stdout)")
        })
    }

    static let role = """
          role:
            type: aws-native:iam:Role
            properties:
              roleName: PREFIX-role
              description: role VERSION
              assumeRolePolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Principal:
                      Service: lambda.amazonaws.com
                    Action: sts:AssumeRole

        """

    static let families: [Family] = [
        Family(name: "policy", target: "pol", program: { prefix, version, renamed, without in
            "name: \(prefix)\nruntime: yaml\nresources:\n" + (without ? "" : """
                  pol:
                    type: aws-native:iot:Policy
                    properties:
                      policyName: \(prefix)-pol\(renamed ? "2" : "")
                      policyDocument: {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:Connect", "Resource": "client-v\(version)"}]}

                """)
        }, inspect: { prefix in """
            for p in iot.list_policies(pageSize=250)['policies']:
                if p['policyName'].startswith('\(prefix)-'):
                    doc = json.loads(iot.get_policy(policyName=p['policyName'])['policyDocument'])
                    versions = iot.list_policy_versions(policyName=p['policyName'])['policyVersions']
                    print(p['policyName'], doc['Statement'][0]['Resource'], len(versions))
            """
        }, expected: { prefix, version, renamed, without in
            without ? "" : "\(prefix)-pol\(renamed ? "2" : "") client-v\(version) \(renamed ? 1 : version)"
        }),
        Family(name: "topic rule", target: "rule", program: { prefix, version, renamed, without in
            "name: \(prefix)\nruntime: yaml\nresources:\n" + (without ? "" : """
                  rule:
                    type: aws-native:iot:TopicRule
                    properties:
                      ruleName: \(prefix)_rule\(renamed ? "2" : "")
                      topicRulePayload:
                        sql: SELECT * FROM 'telemetry/v\(version)'
                        actions: []

                """)
        }, inspect: { prefix in """
            for r in iot.list_topic_rules()['rules']:
                if r['ruleName'].startswith('\(prefix)_'):
                    print(r['ruleName'], iot.get_topic_rule(ruleName=r['ruleName'])['rule']['sql'].split("'")[1])
            """
        }, expected: { prefix, version, renamed, without in
            without ? "" : "\(prefix)_rule\(renamed ? "2" : "") telemetry/v\(version)"
        }),
        Family(name: "role", target: "role", program: { prefix, version, renamed, without in
            "name: \(prefix)\nruntime: yaml\nresources:\n" + (without ? "" : role
                .replacingOccurrences(of: "PREFIX-role", with: "\(prefix)-role\(renamed ? "2" : "")")
                .replacingOccurrences(of: "VERSION", with: "\(version)"))
        }, inspect: { prefix in """
            iam = boto3.client('iam', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1')
            for r in iam.list_roles()['Roles']:
                if r['RoleName'].startswith('\(prefix)-'):
                    print(r['RoleName'], iam.get_role(RoleName=r['RoleName'])['Role'].get('Description', '').replace(' ', '-'))
            """
        }, expected: { prefix, version, renamed, without in
            without ? "" : "\(prefix)-role\(renamed ? "2" : "") role-\(version)"
        }),
        Family(name: "function", target: "fn", program: { prefix, version, renamed, without in
            "name: \(prefix)\nruntime: yaml\nresources:\n" + role.replacingOccurrences(of: "PREFIX", with: prefix).replacingOccurrences(of: "VERSION", with: "1")
                + (without ? "" : """
                  fn:
                    type: aws-native:lambda:Function
                    properties:
                      functionName: \(prefix)-fn\(renamed ? "2" : "")
                      runtime: python3.12
                      handler: index.handler
                      role: ${role.arn}
                      timeout: \(version * 10)
                      code:
                        zipFile: "def handler(event, context):\\n    return \(version)\\n"

                """)
        }, inspect: { prefix in """
            aws_lambda = boto3.client('lambda', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1')
            for f in aws_lambda.list_functions()['Functions']:
                if f['FunctionName'].startswith('\(prefix)-'):
                    print(f['FunctionName'], aws_lambda.get_function_configuration(FunctionName=f['FunctionName'])['Timeout'])
            """
        }, expected: { prefix, version, renamed, without in
            without ? "" : "\(prefix)-fn\(renamed ? "2" : "") \(version * 10)"
        }),
        certificateFamily("certificate", target: "cert", kinds: ["create", "update", "delete"]),
        certificateFamily("policy attachment", target: "attach", kinds: ["create", "delete"]),
        certificateFamily("thing principal", target: "principal", kinds: ["create", "delete"]),
    ]

    struct Case: CustomTestStringConvertible, Sendable {
        var family: Int
        var kind: String
        var crashAt: String
        var testDescription: String { "\(CrashMatrixTypesTests.families[family].name): \(kind) at \(crashAt)" }
    }

    static let cases: [Case] = families.indices.flatMap { index in
        let target = families[index].target
        return CrashMatrixTests.points.flatMap { point in
            families[index].kinds.flatMap { kind -> [Case] in
                switch kind {
                case "replace": return [Case(family: index, kind: kind, crashAt: "\(target):replace:\(point)"),
                                        Case(family: index, kind: kind, crashAt: "\(target):delete:\(point)")]
                default: return [Case(family: index, kind: kind, crashAt: "\(target):\(kind):\(point)")]
                }
            }
        }
    }

    static func inspect(_ family: Family, _ prefix: String) throws -> String {
        try DeployAcceptanceTests.boto(family.inspect(prefix)).split(separator: "\n").sorted().joined(separator: "\n")
    }

    @Test(arguments: cases)
    func crashThenUpConverges(_ testCase: Case) throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let family = Self.families[testCase.family]
        let prefix = "cm\(UUID().uuidString.prefix(7).lowercased())"
        let project = try DeployAcceptanceTests.Project(program: family.program(prefix, 1, false, false))
        try family.setup?(project.folder, prefix)
        var expected = family.expected(prefix, 1, false, false)
        if testCase.kind != "create" {
            let first = try project.fleetdeck(["up", "--yes"])
            #expect(first.status == 0, "\(first.stdout) \(first.stderr)")
            let (version, renamed, without) = (testCase.kind == "update" ? 2 : 1, testCase.kind == "replace", testCase.kind == "delete")
            try family.program(prefix, version, renamed, without).write(toFile: project.folder + "/Pulumi.yaml", atomically: true, encoding: .utf8)
            expected = family.expected(prefix, version, renamed, without)
        }
        try CrashMatrixTests.crashThenConverge(project, at: testCase.crashAt, expected: expected, empty: "") { try Self.inspect(family, prefix) }
    }
}
