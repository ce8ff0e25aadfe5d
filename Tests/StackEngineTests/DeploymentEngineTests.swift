import StackEngine
import StackModel
import Testing

@Suite struct DeploymentEngineTests {
    static let program = """
        name: fleet
        runtime: yaml
        resources:
          group:
            type: aws-native:iot:ThingGroup
            properties:
              thingGroupName: sensors-${pulumi.stack}
          policy:
            type: aws-native:iot:Policy
            properties:
              policyName: sensor-policy
              policyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Action: iot:Connect
                    Resource: ${group.arn}
          thing:
            type: aws-native:iot:Thing
            properties:
              thingName: sensor-1
        outputs:
          groupArn: ${group.arn}
        """

    @Test func createsThenHasNoChangesThenUpdatesReplacesAndDestroys() async throws {
        let harness = try EngineHarness(Self.program)
        let first = try await harness.preview()
        #expect(first.summary == ["create group", "create policy", "create thing"])
        let policyStep = try #require(first.steps.first { $0.urn.name == "policy" })
        #expect(policyStep.inputs["policyDocument"]?.containsUnknown == true)  // the group's arn is not known yet
        let summary = try await harness.up()
        #expect(summary.counts[.create] == 3)
        #expect(summary.outputs["groupArn"] == .string("arn:memory:aws-native:iot:ThingGroup:sensors-dev"))
        #expect(harness.provider.calls.first == "create sensors-dev")  // dependencies first
        #expect(harness.provider.resources["sensor-policy"]?.inputs["policyDocument"]?["Statement"] ==
                .array([.object(["Effect": .string("Allow"), "Action": .string("iot:Connect"), "Resource": .string("arn:memory:aws-native:iot:ThingGroup:sensors-dev")])]))

        #expect(try await harness.preview().summary == [])

        try harness.write(Self.program.replacingOccurrences(of: "Action: iot:Connect", with: "Action: iot:Publish")
                            .replacingOccurrences(of: "thingName: sensor-1", with: "thingName: sensor-2"))
        let changed = try await harness.preview()
        #expect(changed.summary == ["update policy", "replace thing"])
        let update = try #require(changed.steps.first { $0.kind == .update })
        #expect(update.diffs.map(\.path) == ["policyDocument.Statement[0].Action"])
        let replace = try #require(changed.steps.first { $0.kind == .replace })
        #expect(replace.replaceReasons == ["thingName"])
        #expect(!replace.deleteFirst)  // a new name: create the new thing, then delete the old one
        try await harness.up()
        // The update and the new thing's create run in parallel; the old thing goes only after its replacement exists.
        let calls = Array(harness.provider.calls.suffix(3))
        #expect(Set(calls) == ["update sensor-policy", "create sensor-2", "delete sensor-1"] && calls.last == "delete sensor-1", "\(calls)")

        let session = try harness.session()
        _ = try await harness.engine(session).destroy()
        #expect(harness.provider.resources.isEmpty)
        #expect(try await harness.state()?.managed.isEmpty == true)
    }

    @Test func deletesResourcesRemovedFromTheProgramDependentsFirst() async throws {
        let harness = try EngineHarness(Self.program)
        try await harness.up()
        try harness.write("name: fleet\nruntime: yaml\nresources:\n  thing:\n    type: aws-native:iot:Thing\n    properties:\n      thingName: sensor-1\n")
        #expect(try await harness.preview().summary == ["delete policy", "delete group"])
        try await harness.up()
        #expect(harness.provider.calls.suffix(2) == ["delete sensor-policy", "delete sensors-dev"])
    }

    @Test func aFailureKeepsWhatWasCreatedAndNamesTheResource() async throws {
        let harness = try EngineHarness(Self.program)
        harness.provider.fail(name: "sensor-policy")
        do {
            try await harness.up()
            Issue.record("the failure was swallowed")
        } catch let failure as StepFailure {
            #expect(failure.description == "create of policy (aws-native:iot:Policy) failed: injected failure creating sensor-policy")
        }
        let state = try #require(try await harness.state())
        #expect(Set(state.managed.map(\.urn.name)) == ["group", "thing"])
        #expect(state.pendingOperations.isEmpty)
    }

    @Test func aFailureMessageNeverShowsASecretInput() async throws {
        let harness = try EngineHarness("""
            name: fleet
            runtime: yaml
            config:
              serial:
                type: string
                secret: true
            resources:
              thing:
                type: aws-native:iot:Thing
                properties:
                  thingName: ${serial}
            """)
        try "config:\n  fleet:serial: plain-before\n".write(toFile: harness.folder + "/Pulumi.dev.yaml", atomically: true, encoding: .utf8)
        harness.provider.fail(name: "plain-before")
        var message = ""
        do { try await harness.up() } catch { message = "\(error)" }
        #expect(message == "create of thing (aws-native:iot:Thing) failed: injected failure creating [secret]")
        let events = harness.events.all.compactMap(PlanText.event).joined(separator: "\n")
        #expect(!events.contains("plain-before") && events.contains("[secret]"), "\(events)")
    }

    @Test func anInterruptedCreateIsAdoptedOrDropped() async throws {
        let harness = try EngineHarness(Self.program)
        try await harness.up()
        // A crash after the cloud call but before the end record: the journal holds a begin only.
        let session = try harness.session()
        let journal = try await session.openJournal(now: "")
        let urn = URN(stack: "dev", project: "fleet", type: "aws-native:iot:Thing", name: "extra")
        try await journal.begin(.creating, ResourceState(urn: urn, id: "", type: urn.type, inputs: ["thingName": .string("orphan-1")], outputs: [:]))
        _ = try await harness.provider.create(type: urn.type, name: "extra", inputs: ["thingName": .string("orphan-1")])
        let pending = try #require(try await harness.state())
        #expect(pending.pendingOperations.map(\.resource.urn) == [urn])
        try harness.write(Self.program + "\n  extra:\n    type: aws-native:iot:Thing\n    properties:\n      thingName: orphan-1\n")
        try await harness.up()
        #expect(harness.provider.calls.filter { $0 == "create orphan-1" }.count == 1)  // adopted, not created twice
        let settled = try #require(try await harness.state())
        #expect(settled.pendingOperations.isEmpty)
        #expect(settled.resource(urn)?.id == "orphan-1")
    }

    @Test func secretsAreEncryptedInStateAndStayWithThePassphrase() async throws {
        let harness = try EngineHarness("""
            name: fleet
            runtime: yaml
            resources:
              thing:
                type: aws-native:iot:Thing
                properties:
                  thingName: sensor-9
                  attributePayload:
                    attributes:
                      token:
                        fn::secret: hunter2
            """)
        try await harness.up()
        let file = try #require(AtomicFileReader.text(harness.folder + "/state/.pulumi/stacks/fleet/dev.json"))
        #expect(!file.contains("hunter2"))
        #expect(file.contains(PropertyValue.secretSignature))
        let state = try #require(try await harness.state())
        #expect(state.managed.first?.inputs["attributePayload"]?["attributes"]?["token"] == .secret(.string("hunter2")))
        harness.environment = [:]
        await #expect(throws: SecretsError.self) { _ = try await harness.state() }
    }

    @Test func theExecutedPlanIsTheApprovedOne() async throws {
        let harness = try EngineHarness(Self.program)
        let session = try harness.session()
        let engine = try await harness.engine(session)
        let plan = try await engine.preview(hashes: try await session.hashes())
        try harness.write(Self.program.replacingOccurrences(of: "thingName: sensor-1", with: "thingName: sensor-7"))
        let changed = try await harness.engine(try harness.session())
        do {
            _ = try await changed.up(plan: plan)
            Issue.record("a different program ran under an old plan")
        } catch let mismatch as PlanMismatch {
            #expect(mismatch.description == "stopped: thing differs from the approved plan: its property 'thingName' changed since the plan was approved; preview again and approve the new plan")
        }
        #expect(!harness.provider.calls.contains("create sensor-7"))
    }
}

enum AtomicFileReader {
    static func text(_ path: String) -> String? {
        AtomicFile.read(path).map { String(decoding: $0, as: UTF8.self) }
    }
}

@Suite struct ProtectOptionTests {
    @Test func togglingProtectIsAChangeToStateOnly() async throws {
        let harness = try EngineHarness("name: p\nruntime: yaml\nresources:\n  t:\n    type: aws-native:iot:Thing\n    properties:\n      thingName: p-1\n    options:\n      protect: true\n")
        try await harness.up()
        #expect(try await harness.state()?.managed.first?.protect == true)
        try harness.write("name: p\nruntime: yaml\nresources:\n  t:\n    type: aws-native:iot:Thing\n    properties:\n      thingName: p-1\n")
        let plan = try await harness.preview()
        #expect(plan.summary == [])
        #expect(plan.hasChanges)
        try await harness.up()
        #expect(try await harness.state()?.managed.first?.protect == false)
        #expect(harness.provider.calls == ["create p-1"])
    }
}

@Suite struct DeployCancelTests {
    @Test func cancelLetsInFlightStepsFinishAndLeavesStateConsistent() async throws {
        var program = "name: fleet\nruntime: yaml\nresources:\n"
        for index in 0..<20 { program += "  t\(index):\n    type: aws-native:iot:Thing\n    properties:\n      thingName: t-\(index)\n" }
        let harness = try EngineHarness(program)
        let session = try harness.session()
        let box = EngineBox()
        let engine = DeploymentEngine(program: session.project.program, evaluation: try session.evaluationContext(),
                                      providers: ProviderRegistry([harness.provider]), journal: try await session.openJournal(now: "2026-11-29T00:00:00Z"),
                                      parallel: 4, now: { "2026-11-29T00:00:00Z" }, events: { event in
                                          if case .stepFinished = event { box.engine?.cancel() }
                                      })
        box.engine = engine
        let plan = try await engine.preview(hashes: try await session.hashes())
        do {
            _ = try await engine.up(plan: plan)
            Issue.record("a cancelled deploy reported success")
        } catch let cancelled as DeployCancelled {
            #expect(cancelled.planned == 20)
            #expect(cancelled.done >= 1 && cancelled.done < 20)
            // Everything created is in the state, nothing else; no pending operation is left.
            let state = try #require(try await harness.state())
            #expect(Set(state.managed.map(\.id)) == Set(harness.provider.resources.keys))
            #expect(state.managed.count == cancelled.done)
            #expect(state.pendingOperations.isEmpty)
        }
        try await harness.up()
        #expect(harness.provider.resources.count == 20)
    }
}

final class EngineBox: @unchecked Sendable {
    var engine: DeploymentEngine?
}
