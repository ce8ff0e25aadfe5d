import Fleet
import Foundation
import JSON
import StackEngine
import StackLanguage
import StackModel
import Synchronization
import TermCore
import TestSupport
import Testing
import YAMLSyntax

/// Issue 16's fuzzing harness: seeded mutations of real inputs (programs, stack config, state,
/// journals, themes, allowlists, JSON) through the parsers. Every input must end in a result or a
/// clear error: a crash (a signal) kills this process and fails the run, and memory must stay
/// under a bound. CI runs a fixed number of inputs per target with fixed seeds;
/// FLEETDECK_FUZZ_INPUTS runs more (FLEETDECK_FUZZ_SEED another seed).
@Suite struct ParserFuzzTests {
    static let inputs = Int(ProcessInfo.processInfo.environment["FLEETDECK_FUZZ_INPUTS"] ?? "") ?? 3000
    static let seed = UInt64(ProcessInfo.processInfo.environment["FLEETDECK_FUZZ_SEED"] ?? "") ?? 20261202
    static let memoryLimitMB = 1024

    static func read(_ path: String) -> [UInt8] {
        Array((try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data())
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Structural pieces that parsers trip on.
    static let pieces: [[UInt8]] = ["{", "}", "[", "]", ":", ": ", "- ", "\n", "  ", "\"", "'", "#", "&a ", "*a", "!Ref ", "!!str ", "${", "}",
                                    "fn::select", "fn::readFile", "99999999999999999999999", "-1", "1e300", "null", "\t", "|", ">", ",",
                                    "\\u0000", "\u{7f}"].map { Array($0.utf8) } + [[0xFF], [0xC3], [0xE2, 0x82], [0]]

    /// One mutation of `input`: a flipped byte, an inserted piece, a cut, a repeated slice or a truncation.
    static func mutate(_ input: [UInt8], _ random: inout SplitMix) -> [UInt8] {
        var bytes = input
        for _ in 0...random.next(upTo: 3) {
            let at = bytes.isEmpty ? 0 : random.next(upTo: bytes.count)
            switch random.next(upTo: 5) {
            case 0 where !bytes.isEmpty: bytes[at] ^= UInt8(1 << random.next(upTo: 8))
            case 1: bytes.insert(contentsOf: pieces[random.next(upTo: pieces.count)], at: at)
            case 2 where !bytes.isEmpty: bytes.removeSubrange(at..<min(bytes.count, at + random.next(upTo: 16) + 1))
            case 3 where !bytes.isEmpty:
                let slice = Array(bytes[at..<min(bytes.count, at + random.next(upTo: 64) + 1)])
                bytes.insert(contentsOf: Array(repeating: slice, count: random.next(upTo: 8) + 1).joined(), at: at)
            default: bytes = Array(bytes.prefix(at))
            }
        }
        return bytes
    }

    /// Runs `parse` on the seeds and `inputs` mutations of them; returns (inputs, results, errors).
    static func fuzz(_ name: String, seeds: [[UInt8]], _ parse: ([UInt8]) -> Bool) -> (Int, Int, Int) {
        var random = SplitMix(seed: seed ^ UInt64(name.utf8.reduce(0) { $0 &* 31 &+ UInt64($1) }))
        var (results, errors) = (0, 0)
        for index in 0..<inputs {
            let base = seeds[index % seeds.count]
            if parse(index < seeds.count ? base : mutate(base, &random)) { results += 1 } else { errors += 1 }
        }
        return (inputs, results, errors)
    }

    static var peakMB: Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss / 1024
    }

    @Test func everyParserEndsInAResultOrAClearErrorNeverASignal() throws {
        let programs = [Self.read("\(Self.root)/examples/iot-ref-arch/Pulumi.yaml"), Self.read("\(Self.root)/examples/sample/Pulumi.yaml")]
        let themes = ["default", "light", "monochrome", "high-contrast"].map { Self.read("\(Self.root)/themes/\($0).yaml") }
        let config = Array("config:\n  fleet:region: eu-west-1\n  fleet:token:\n    secure: v1:abc:def\n  fleet:limits:\n    max: 3\n    list: [1, 2]\nencryptionsalt: v1:x:y\n".utf8)
        let checkpoint = try CheckpointCoder(crypter: nil).encode(stack: "dev", project: "fleet", deployment: Deployment(time: "2026-12-01T00:00:00Z", resources: [
            ResourceState(urn: URN("urn:pulumi:dev::fleet::aws-native:iot:Thing::a")!, id: "a", type: "aws-native:iot:Thing",
                          inputs: ["thingName": .string("a"), "attributePayload": .object(["attributes": .object(["v": .string("1")])])], outputs: ["arn": .string("arn:a")]),
        ]))
        let journal = Array(("{\"begin\":\"creating\",\"resource\":{\"urn\":\"urn:pulumi:dev::fleet::aws-native:iot:Thing::b\",\"custom\":true,\"type\":\"aws-native:iot:Thing\",\"inputs\":{\"thingName\":\"b\"},\"outputs\":{}}}\n"
                             + "{\"end\":\"done\",\"urn\":\"urn:pulumi:dev::fleet::aws-native:iot:Thing::b\",\"resource\":{\"urn\":\"urn:pulumi:dev::fleet::aws-native:iot:Thing::b\",\"custom\":true,\"id\":\"b\",\"type\":\"aws-native:iot:Thing\",\"inputs\":{\"thingName\":\"b\"},\"outputs\":{}}}\n").utf8)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fd-fuzz-\(UUID().uuidString.prefix(6))").path
        try FileManager.default.createDirectory(atPath: folder + "/state/.pulumi/stacks/fleet", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }

        var report: [String] = []
        func record(_ name: String, _ counts: (Int, Int, Int)) {
            report.append("\(name): \(counts.0) inputs, \(counts.1) read, \(counts.2) refused with an error")
        }
        record("program", Self.fuzz("program", seeds: programs) { bytes in
            guard let text = try? YAMLNode.text(bytes), let (program, _) = try? ProgramParser.parse(text) else { return false }
            return ProgramChecker.check(program).isEmpty
        })
        record("yaml", Self.fuzz("yaml", seeds: programs + themes) { bytes in (try? YAMLNode.text(bytes)).flatMap { try? YAMLNode.parse($0) } != nil })
        record("stack config", Self.fuzz("stack config", seeds: [config]) { bytes in
            let path = folder + "/Pulumi.dev.yaml"
            FileManager.default.createFile(atPath: path, contents: Data(bytes))
            return (try? StackConfigFile.load(path: path)) != nil
        })
        record("checkpoint", Self.fuzz("checkpoint", seeds: [checkpoint]) { bytes in (try? CheckpointCoder(crypter: nil).decode(bytes)) != nil })
        record("journal", Self.fuzz("journal", seeds: [journal]) { bytes in
            let backend = FileBackend(root: folder + "/state")
            FileManager.default.createFile(atPath: folder + "/state/.pulumi/stacks/fleet/dev.journal", contents: Data(bytes))
            let semaphore = DispatchSemaphore(value: 0)
            let ok = Mutex(false)
            Task {
                let opened = try? await StateJournal.open(backend: backend, project: "fleet", stack: "dev", coder: CheckpointCoder(crypter: nil), now: "")
                ok.withLock { $0 = opened != nil }
                semaphore.signal()
            }
            semaphore.wait()
            return ok.withLock { $0 }
        })
        record("theme", Self.fuzz("theme", seeds: themes) { bytes in (try? YAMLNode.text(bytes)).flatMap { try? Theme.parse($0, file: "fuzz.yaml") } != nil })
        record("allowlist", Self.fuzz("allowlist", seeds: [Array("GG-0001\n# comment\n  GG-0002  \n\nGG-0003\n".utf8)]) { bytes in
            (try? Allowlist.parse(bytes, file: "fuzz.txt")) != nil
        })
        record("json", Self.fuzz("json", seeds: [checkpoint, journal]) { bytes in (try? JSONValue.parse(bytes)) != nil })
        report.append("peak memory \(Self.peakMB) MB (limit \(Self.memoryLimitMB) MB), seed \(Self.seed), 0 crashes")
        print("fuzz: " + report.joined(separator: "\nfuzz: "))
        #expect(Self.peakMB < Self.memoryLimitMB)
    }
}
