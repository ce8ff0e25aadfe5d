import StackEngine
import StackModel
import Testing

/// How state Pulumi wrote compares with a program: type tokens, JSON documents, `__defaults`.
@Suite struct PulumiStateShapesTests {
    @Test func classicTypesUsePulumisTokenAndOlderShortFormStateReadsAsTheSame() {
        #expect(TypeToken.canonical("aws:iot:PolicyAttachment") == "aws:iot/policyAttachment:PolicyAttachment")
        #expect(TypeToken.canonical("aws:iot/policyAttachment:PolicyAttachment") == "aws:iot/policyAttachment:PolicyAttachment")
        #expect(TypeToken.canonical("aws-native:iot:Thing") == "aws-native:iot:Thing")
        #expect(TypeToken.canonical("pulumi:pulumi:Stack") == "pulumi:pulumi:Stack")
        let short = URN("urn:pulumi:dev::p::aws:iot:PolicyAttachment::attach")
        #expect(short == URN(stack: "dev", project: "p", type: "aws:iot/policyAttachment:PolicyAttachment", name: "attach"))
        #expect(short?.description == "urn:pulumi:dev::p::aws:iot/policyAttachment:PolicyAttachment::attach")
    }

    @Test func aDocumentAsTextEqualsTheSameDocumentAsAMapAndNothingElse() {
        let map: PropertyValue = .object(["Version": .string("2012-10-17"), "Statement": .array([.object(["Effect": .string("Allow")])])])
        let text = "{\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [ { \"Effect\": \"Allow\" } ]\n}"
        #expect(Differ.diff(old: ["doc": .string(text)], new: ["doc": map]).isEmpty)
        #expect(Differ.diff(old: ["doc": map], new: ["doc": .string(text)]).isEmpty)
        let other = Differ.diff(old: ["doc": .string(text.replacingOccurrences(of: "Allow", with: "Deny"))], new: ["doc": map])
        #expect(other.map(\.path) == ["doc"])
        #expect(Differ.diff(old: ["doc": .string("not json")], new: ["doc": map]).map(\.path) == ["doc"])
    }

    @Test func aBridgedProvidersDefaultsAreNotAChange() {
        let state: [String: PropertyValue] = ["__defaults": .array([]), "policy": .string("p"), "target": .string("t")]
        #expect(Differ.diff(old: state, new: ["policy": .string("p"), "target": .string("t")]).isEmpty)
        #expect(Differ.diff(old: state, new: ["policy": .string("q"), "target": .string("t")]).map(\.path) == ["policy"])
    }
}
