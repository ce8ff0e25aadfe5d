import StackLanguage
import StackModel
import Testing

/// Every kind of program mistake, with the exact message and position a user sees.
@Suite struct DiagnosticsTests {
    func errors(_ text: String) -> [String] {
        do {
            let (program, _) = try ProgramParser.parse(text)
            return ProgramChecker.check(program).map(\.description)
        } catch {
            return error.items.map(\.description)
        }
    }

    @Test func yamlSyntax() {
        #expect(errors("name: x\nruntime: yaml\nresources:\n  a:\n    type: t\n   properties: {}\n") ==
                ["Pulumi.yaml:6:4: error: YAML syntax: did not find expected key while parsing a block mapping"])
    }

    @Test func unknownKeys() {
        #expect(errors("name: x\nruntime: yaml\nresource:\n  a: {}\n") ==
                ["Pulumi.yaml:3:1: error: unknown top-level key 'resource'; did you mean 'resources'?"])
        #expect(errors("name: x\nruntime: yaml\nresources:\n  g:\n    type: aws-native:iot:ThingGroup\n    propertes: {}\n") ==
                ["Pulumi.yaml:6:5: error: unknown key 'propertes' in resource 'g'; did you mean 'properties'?"])
        #expect(errors("name: x\nruntime: yaml\nresources:\n  g:\n    type: aws-native:iot:ThingGroup\n    options:\n      protekt: true\n") ==
                ["Pulumi.yaml:7:7: error: unknown resource option 'protekt'; did you mean 'protect'?"])
    }

    @Test func runtimeAndName() {
        #expect(errors("name: x\nruntime: nodejs\n") ==
                ["Pulumi.yaml:2:10: error: runtime 'nodejs' is not supported: Fleetdeck runs Pulumi YAML programs ('runtime: yaml')"])
        #expect(errors("runtime: yaml\n") == ["Pulumi.yaml:1:1: error: missing 'name': every project needs a name"])
    }

    @Test func unknownResourceType() {
        #expect(errors("name: x\nruntime: yaml\nresources:\n  g:\n    type: aws-native:iot:ThingGrup\n") ==
                ["Pulumi.yaml:5:11: error: unknown resource type 'aws-native:iot:ThingGrup'; did you mean 'aws-native:iot:ThingGroup'?"])
    }

    @Test func unknownPropertiesAndOutputsSet() {
        #expect(errors("""
            name: x
            runtime: yaml
            resources:
              t:
                type: aws-native:iot:Thing
                properties:
                  thingname: a
                  arn: b
                  attributePayload:
                    atributes: {}
            """) == [
                "Pulumi.yaml:7:7: error: unknown property 'thingname' of aws-native:iot:Thing; did you mean 'thingName'?",
                "Pulumi.yaml:8:7: error: 'arn' is an output of aws-native:iot:Thing and cannot be set",
                "Pulumi.yaml:10:9: error: unknown property 'attributePayload.atributes' of aws-native:iot:Thing; did you mean 'attributes'?",
            ])
    }

    @Test func wrongValueTypes() {
        #expect(errors("""
            name: x
            runtime: yaml
            resources:
              t:
                type: aws-native:iot:Thing
                properties:
                  thingName: [a, b]
                  attributePayload:
                    attributes:
                      serial: 42
              r:
                type: aws-native:iot:RoleAlias
                properties:
                  roleAlias: tes
                  roleArn: arn:aws:iam::1:role/r
                  credentialDurationSeconds: 1.5
            """) == [
                "Pulumi.yaml:7:18: error: 'thingName' of aws-native:iot:Thing expects a string, found a list",
                "Pulumi.yaml:10:19: error: 'attributePayload.attributes.serial' of aws-native:iot:Thing expects a string, found a number",
                "Pulumi.yaml:16:34: error: 'credentialDurationSeconds' of aws-native:iot:RoleAlias expects an integer, found 1.5",
            ])
    }

    @Test func missingRequiredProperty() {
        #expect(errors("name: x\nruntime: yaml\nresources:\n  rule:\n    type: aws-native:iot:TopicRule\n    properties:\n      ruleName: r\n") ==
                ["Pulumi.yaml:4:3: error: resource 'rule' is missing required property 'topicRulePayload' of aws-native:iot:TopicRule"])
    }

    @Test func undefinedReferences() {
        #expect(errors("""
            name: x
            runtime: yaml
            resources:
              group:
                type: aws-native:iot:ThingGroup
              policy:
                type: aws-native:iot:Policy
                properties:
                  policyName: p-${pulumi.stak}
                  policyDocument:
                    Resource: ${grup.arn}
                    Other: ${group.arnn}
            """) == [
                "Pulumi.yaml:9:19: error: '${pulumi.stak}': pulumi offers stack, project, cwd and organization",
                "Pulumi.yaml:11:19: error: '${grup.arn}' refers to 'grup', which is not a resource, variable or configuration value; did you mean 'group'?",
                "Pulumi.yaml:12:16: error: resource 'group' (aws-native:iot:ThingGroup) has no property 'arnn'; did you mean 'arn'?",
            ])
    }

    @Test func dependencyCyclesNameEveryMember() {
        #expect(errors("""
            name: x
            runtime: yaml
            variables:
              suffix: ${c.thingName}
            resources:
              a:
                type: aws-native:iot:Thing
                properties:
                  thingName: ${b.thingName}
              b:
                type: aws-native:iot:Thing
                properties:
                  thingName: x-${suffix}
              c:
                type: aws-native:iot:Thing
                properties:
                  thingName: ${a.thingName}
              d:
                type: aws-native:iot:Thing
                options:
                  dependsOn:
                    - ${d}
            """) == [
                "Pulumi.yaml:6:3: error: dependency cycle: a -> b -> suffix -> c -> a",
                "Pulumi.yaml:18:3: error: dependency cycle: d -> d",
            ])
    }

    @Test func functionMisuse() {
        // Misspelt or crowded calls are found while reading the file...
        #expect(errors("""
            name: x
            runtime: yaml
            variables:
              b:
                fn::toJSON: {}
                extra: 1
              c:
                fn::jion: [",", []]
            """) == [
                "Pulumi.yaml:5:5: error: 'fn::toJSON' must be the only key of its mapping",
                "Pulumi.yaml:8:5: error: unknown function 'fn::jion'; did you mean 'fn::join'?",
            ])
        // ...wrong arguments when the program is checked.
        #expect(errors("""
            name: x
            runtime: yaml
            variables:
              a:
                fn::join: [",", "not-a-list"]
              b: 1
              c: 2
              d:
                fn::select: [-1, [a]]
              e:
                fn::toBase64: [1]
              f:
                fn::invoke:
                  arguments: {}
            """) == [
                "Pulumi.yaml:5:5: error: fn::join takes [separator, [values...]]",
                "Pulumi.yaml:9:18: error: fn::select needs a non-negative whole index, found -1",
                "Pulumi.yaml:11:5: error: fn::toBase64 takes a string, found a list",
                "Pulumi.yaml:13:5: error: fn::invoke needs 'function' (and 'arguments')",
            ])
    }

    @Test func interpolationSyntax() {
        #expect(errors("name: x\nruntime: yaml\nvariables:\n  a: pre-${oops\n") ==
                ["Pulumi.yaml:4:6: error: unterminated '${' in \"pre-${oops\": add the closing '}'"])
        #expect(errors("name: x\nruntime: yaml\nvariables:\n  a: ${b[x]}\n  b: [1]\n") ==
                ["Pulumi.yaml:4:6: error: expected a number and ']' after '[' in '${b[x]}'"])
    }

    @Test func missingRequiredConfiguration() async throws {
        let (program, _) = try ProgramParser.parse("name: iot\nruntime: yaml\nconfig:\n  aws-account-id:\n    type: string\n  count:\n    type: integer\n    default: 3\n")
        let missing = Evaluator(program: program, context: EvaluationContext(stack: "dev", project: "iot", cwd: "/"))
        #expect(missing.configurationDiagnostics().map(\.description) ==
                ["Pulumi.yaml:4:3: error: missing required configuration value 'iot:aws-account-id': set it with 'fleetdeck config set aws-account-id VALUE'"])
        let wrong = Evaluator(program: program, context: EvaluationContext(stack: "dev", project: "iot", cwd: "/",
                                                                          config: ["iot:aws-account-id": .string("1"), "iot:count": .string("three")]))
        #expect(wrong.configurationDiagnostics().map(\.description) == ["Pulumi.yaml:6:3: error: configuration value 'iot:count' must be integer, found 'three'"])
    }
}
