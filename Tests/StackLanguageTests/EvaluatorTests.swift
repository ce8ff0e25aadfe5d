import JSON
import StackLanguage
import StackModel
import Testing

@Suite struct EvaluatorTests {
    let program = """
        name: iot
        runtime: yaml
        config:
          prefix:
            default: fleet
          token:
            secret: true
        variables:
          names:
            fn::split: [",", "a,b,c"]
          second:
            fn::select: [1, "${names}"]
          doc:
            fn::toJSON:
              Version: "2012-10-17"
              Statement:
                - Effect: Allow
                  Resource: ${group.arn}
        resources:
          group:
            type: aws-native:iot:ThingGroup
            properties:
              thingGroupName: ${prefix}-${pulumi.stack}
          thing:
            type: aws-native:iot:Thing
            properties:
              thingName: cost is $$5 for ${second}
              attributePayload:
                attributes:
                  joined:
                    fn::join: ["-", ["${prefix}", "${second}", "x"]]
                  encoded:
                    fn::toBase64: hello
                  decoded:
                    fn::fromBase64: aGVsbG8=
                  secretValue: ${token}
        outputs:
          groupArn: ${group.arn}
          names: ${names}
          doc: ${doc}
        """

    func evaluator(groupKnown: Bool) throws -> Evaluator {
        let (parsed, _) = try ProgramParser.parse(program)
        #expect(ProgramChecker.check(parsed).isEmpty)
        let evaluator = Evaluator(program: parsed, context: EvaluationContext(stack: "dev", project: "iot", cwd: "/work",
                                                                              config: ["iot:token": .secret(.string("s3cr3t"))]))
        let urn = URN(stack: "dev", project: "iot", type: "aws-native:iot:ThingGroup", name: "group")
        evaluator.resources["group"] = groupKnown
            ? ResourceValue(urn: urn, id: .string("fleet-dev"), outputs: ["arn": .string("arn:aws:iot:us-east-1:1:thinggroup/fleet-dev")])
            : ResourceValue(urn: urn, id: .unknown, outputs: ["thingGroupName": .string("fleet-dev")], outputsIncomplete: true)
        return evaluator
    }

    @Test func interpolationBuiltinsAndSecrets() async throws {
        let evaluator = try evaluator(groupKnown: true)
        let (parsed, _) = try ProgramParser.parse(program)
        let group = try await evaluator.properties(of: parsed.resource("group")!)
        #expect(group["thingGroupName"] == .string("fleet-dev"))
        let thing = try await evaluator.properties(of: parsed.resource("thing")!)
        #expect(thing["thingName"] == .string("cost is $5 for b"))
        let attributes = thing["attributePayload"]?["attributes"]
        #expect(attributes?["joined"] == .string("fleet-b-x"))
        #expect(attributes?["encoded"] == .string("aGVsbG8="))
        #expect(attributes?["decoded"] == .string("hello"))
        #expect(attributes?["secretValue"] == .secret(.string("s3cr3t")))
        #expect(thing.values.contains { $0.containsSecret })
        let outputs = try await evaluator.outputs()
        #expect(outputs["names"] == .array([.string("a"), .string("b"), .string("c")]))  // a symbol keeps its type
        #expect(outputs["doc"] == .string(#"{"Statement":[{"Effect":"Allow","Resource":"arn:aws:iot:us-east-1:1:thinggroup/fleet-dev"}],"Version":"2012-10-17"}"#))
    }

    @Test func unknownOutputsPropagateInAPreview() async throws {
        let evaluator = try evaluator(groupKnown: false)
        let outputs = try await evaluator.outputs()
        #expect(outputs["groupArn"] == .unknown)
        #expect(outputs["doc"] == .unknown)
        #expect(outputs["names"] == .array([.string("a"), .string("b"), .string("c")]))
    }

    @Test func evaluationErrorsAreLocated() async throws {
        let (parsed, _) = try ProgramParser.parse("name: x\nruntime: yaml\nvariables:\n  list: [1]\n  out: ${list[3]}\n")
        let evaluator = Evaluator(program: parsed, context: EvaluationContext(stack: "dev", project: "x", cwd: "/"))
        await #expect(throws: Diagnostic.error("'${list[3]}': index 3 is out of range (the list has 1 items)", at: SourceLocation(file: "Pulumi.yaml", line: 5, column: 8))) {
            _ = try await evaluator.evaluate(parsed.variable("out")!.value)
        }
    }

    @Test func base64RoundTrips() {
        for text in ["", "a", "ab", "abc", "abcd", "héllo wörld"] {
            #expect(Base64.decode(Base64.encode(Array(text.utf8))) == Array(text.utf8))
        }
        #expect(Base64.decode("not base64!") == nil)
    }
}
