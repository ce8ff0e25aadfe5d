import AWSCore
import Fleet
import Foundation
import JSON
import MQTT
@testable import StackEngine
import StackLanguage
import StackModel
import Synchronization
import TermCore
import TestSupport
import Testing
import YAMLSyntax

/// The fuzzing harness: seeded mutations of real inputs (programs, YAML, stack config, state,
/// journals, stack imports, themes, allowlists, JSON, the AWS config file, XML answers, WebSocket
/// frames) through the parsers. Every input must end in a result or a clear error: a crash (a
/// signal) kills this process and fails the run, an input that runs over 2 s stops it with the
/// input named, and memory must stay under a bound. A parser cannot pass by refusing everything:
/// its seeds must be read, some mutations read and some refused; every refusal is one line, and
/// the refusals of text formats say where (a line and column, or a byte offset); what a writer
/// exists for is written back and read again to the same value. CI runs a fixed number of inputs
/// per target with fixed seeds; FLEETDECK_FUZZ_INPUTS runs more (FLEETDECK_FUZZ_SEED another seed).
@Suite struct ParserFuzzTests {
    static let inputs = Int(ProcessInfo.processInfo.environment["FLEETDECK_FUZZ_INPUTS"] ?? "") ?? 3000
    static let seed = UInt64(ProcessInfo.processInfo.environment["FLEETDECK_FUZZ_SEED"] ?? "") ?? 20261202
    static let memoryLimitMB = 1024
    static let hangSeconds = 2.0

    static func read(_ path: String) -> [UInt8] {
        Array((try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data())
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Structural pieces that parsers trip on.
    static let pieces: [[UInt8]] = ["{", "}", "[", "]", ":", ": ", "- ", "\n", "  ", "\"", "'", "#", "&a ", "*a", "!Ref ", "!!str ", "${", "}",
                                    "fn::select", "fn::readFile", "99999999999999999999999", "-1", "1e300", "null", "\t", "|", ">", ",",
                                    "\\u0000", "\u{7f}", "<", ">", "</", "/>", "&amp;", "&#x0;", "[profile ", "=", "\r\n"].map { Array($0.utf8) }
        + [[0xFF], [0xC3], [0xE2, 0x82], [0], [0x81, 0x7E], [0x88, 0x7F], [0x8A, 0x00]]

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

    /// What a parser made of one input: read (and, where a writer exists, written back and read
    /// again to the same value: false when not), or refused with its error.
    enum Outcome {
        case read(roundTrip: Bool)
        case refused(String)
        static let ok = Outcome.read(roundTrip: true)
    }

    struct Target {
        var name: String
        var seeds: [[UInt8]]
        /// Refusals must say where (text formats).
        var positioned: Bool
        /// Several problems, one per line (a program's diagnostics).
        var linePerProblem = false
        var parse: ([UInt8]) -> Outcome
    }

    struct Tally {
        var read = 0, refused = 0
        var seedsRefused: [String] = []
        var lostRoundTrips = 0
        var multiLine: [String] = []
        var unpositioned: [String] = []
    }

    /// The input being parsed, and the parsing thread's CPU clock and its reading when it began:
    /// a watchdog stops the run on a hang, naming the input. CPU time, not wall time: a loaded
    /// machine (the whole suite runs beside this) delays a parse, a hang spins.
    static let current = Mutex<(target: String, bytes: [UInt8], clock: clockid_t, since: Double?)>(("", [], 0, nil))

    static func cpuSeconds(_ clock: clockid_t) -> Double {
        var time = timespec()
        clock_gettime(clock, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    static func watchdog() {
        Thread.detachNewThread {
            while true {
                Thread.sleep(forTimeInterval: 0.25)
                let (target, bytes, clock, since) = current.withLock { $0 }
                guard let since, cpuSeconds(clock) - since > hangSeconds else { continue }
                FileHandle.standardError.write(Data("fuzz: \(target): an input took over \(hangSeconds) s of CPU; it is (base64) \(Data(bytes).base64EncodedString())\n".utf8))
                abort()
            }
        }
    }

    /// Whether an error says where: "3:7", "file:3:", "line 3", "column 7", "offset 12" or "byte 12".
    static func saysWhere(_ error: String) -> Bool {
        let characters = Array(error)
        for (index, character) in characters.enumerated() where character.isNumber {
            if index + 2 < characters.count, characters[index + 1] == ":", characters[index + 2].isNumber { return true }
            // "file:3:": a line
            if index + 1 < characters.count, characters[index + 1] == ":", let start = characters[..<index].lastIndex(where: { !$0.isNumber }),
               characters[start] == ":" { return true }
        }
        return ["line ", "column ", "offset ", "byte "].contains { word in
            var rest = Substring(error)
            while let range = rest.range(of: word) {
                if rest[range.upperBound...].first?.isNumber == true { return true }
                rest = rest[range.upperBound...]
            }
            return false
        }
    }

    static func run(_ target: Target) -> Tally {
        var random = SplitMix(seed: seed ^ UInt64(target.name.utf8.reduce(0) { $0 &* 31 &+ UInt64($1) }))
        var tally = Tally()
        var clock = clockid_t()
        pthread_getcpuclockid(pthread_self(), &clock)
        for index in 0..<inputs {
            let base = target.seeds[index % target.seeds.count]
            let input = index < target.seeds.count ? base : mutate(base, &random)
            current.withLock { $0 = (target.name, input, clock, cpuSeconds(clock)) }
            let outcome = target.parse(input)
            current.withLock { $0.since = nil }
            switch outcome {
            case .read(let roundTrip):
                tally.read += 1
                if !roundTrip { tally.lostRoundTrips += 1 }
            case .refused(let error):
                tally.refused += 1
                if index < target.seeds.count { tally.seedsRefused.append(error) }
                // A program's several problems come one per line, each saying where.
                let lines = target.linePerProblem ? error.split(separator: "\n").map(String.init) : [error]
                if error.isEmpty || (!target.linePerProblem && error.contains("\n")) { tally.multiLine.append(error) }
                if target.positioned, !lines.allSatisfy(saysWhere) { tally.unpositioned.append(error) }
            }
        }
        return tally
    }

    static var peakMB: Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss / 1024
    }

    static func outcome(_ body: () throws -> Bool) -> Outcome {
        do { return .read(roundTrip: try body()) } catch { return .refused("\(error)") }
    }

    @Test func everyParserEndsInAResultOrAClearErrorNeverASignal() throws {
        let programs = [Self.read("\(Self.root)/examples/iot-ref-arch/Pulumi.yaml"), Self.read("\(Self.root)/examples/sample/Pulumi.yaml")]
        let themes = ["default", "light", "monochrome", "high-contrast"].map { Self.read("\(Self.root)/themes/\($0).yaml") }
        let config = Array("config:\n  fleet:region: eu-west-1\n  fleet:token:\n    secure: v1:abc:def\n  fleet:limits:\n    max: 3\n    list: [1, 2]\nencryptionsalt: v1:x:y\n".utf8)
        let coder = CheckpointCoder(crypter: nil)
        let checkpoint = try coder.encode(stack: "dev", project: "fleet", deployment: Deployment(time: "2026-12-01T00:00:00Z", resources: [
            ResourceState(urn: URN("urn:pulumi:dev::fleet::aws-native:iot:Thing::a")!, id: "a", type: "aws-native:iot:Thing",
                          inputs: ["thingName": .string("a"), "attributePayload": .object(["attributes": .object(["v": .string("1")])])], outputs: ["arn": .string("arn:a")]),
        ]))
        let seedState = Self.read("\(Self.root)/Tests/Fixtures/seed-iot-ref-arch/.pulumi/stacks/iot-ref-arch/dev.json")
        let journal = Array(("{\"begin\":\"creating\",\"resource\":{\"urn\":\"urn:pulumi:dev::fleet::aws-native:iot:Thing::b\",\"custom\":true,\"type\":\"aws-native:iot:Thing\",\"inputs\":{\"thingName\":\"b\"},\"outputs\":{}}}\n"
                             + "{\"end\":\"done\",\"urn\":\"urn:pulumi:dev::fleet::aws-native:iot:Thing::b\",\"resource\":{\"urn\":\"urn:pulumi:dev::fleet::aws-native:iot:Thing::b\",\"custom\":true,\"id\":\"b\",\"type\":\"aws-native:iot:Thing\",\"inputs\":{\"thingName\":\"b\"},\"outputs\":{}}}\n").utf8)
        let awsConfig = Array("[default]\nregion = eu-west-1\noutput = json\n\n[profile ci]\nrole_arn = arn:aws:iam::123456789012:role/ci\nsource_profile = default\ns3 =\n  max_concurrent_requests = 10\n".utf8)
        let xml = Array("<?xml version=\"1.0\"?>\n<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/a</Arn><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r&amp;1</RequestId></ResponseMetadata></GetCallerIdentityResponse>".utf8)
        // A server's frames: unmasked, a text, a fragmented binary message, a ping and a close.
        func unmasked(_ opcode: UInt8, fin: Bool = true, _ payload: [UInt8]) -> [UInt8] {
            [(fin ? 0x80 : 0) | opcode, UInt8(payload.count)] + payload
        }
        let frames = unmasked(1, Array("hello".utf8)) + unmasked(2, fin: false, [1, 2, 3]) + unmasked(0, [4, 5]) + unmasked(9, []) + unmasked(8, [0x03, 0xE8])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fd-fuzz-\(UUID().uuidString.prefix(6))").path
        try FileManager.default.createDirectory(atPath: folder + "/state/.pulumi/stacks/fleet", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }

        let targets: [Target] = [
            Target(name: "program", seeds: programs, positioned: true, linePerProblem: true) { bytes in
                Self.outcome {
                    let (program, _) = try ProgramParser.parse(try YAMLNode.text(bytes))
                    let problems = ProgramChecker.check(program)
                    if !problems.isEmpty { throw Diagnostics(problems) }
                    return true
                }
            },
            Target(name: "yaml", seeds: programs + themes, positioned: true) { bytes in
                Self.outcome { _ = try YAMLNode.parse(try YAMLNode.text(bytes)); return true }
            },
            Target(name: "stack config", seeds: [config], positioned: true) { bytes in
                let path = folder + "/Pulumi.dev.yaml"
                FileManager.default.createFile(atPath: path, contents: Data(bytes))
                return Self.outcome { _ = try StackConfigFile.load(path: path); return true }
            },
            Target(name: "checkpoint", seeds: [checkpoint, seedState], positioned: false) { bytes in
                Self.outcome {
                    guard let deployment = try coder.decode(bytes) else { return true }
                    return try coder.decode(coder.encode(stack: "dev", project: "fleet", deployment: deployment)) == deployment
                }
            },
            Target(name: "stack import", seeds: [seedState], positioned: false) { bytes in
                Self.outcome { _ = try StateDocument.checkpoint(importing: bytes, project: "iot-ref-arch", stack: "dev"); return true }
            },
            Target(name: "journal", seeds: [journal], positioned: false) { bytes in
                // Replayed as StateJournal.open replays the file, on this thread.
                let journal = StateJournal(backend: FileBackend(root: folder + "/state"), project: "fleet", stack: "dev", coder: coder,
                                           deployment: Deployment(time: ""))
                return Self.outcome { try journal.replay(bytes, source: "dev.journal"); return true }
            },
            Target(name: "theme", seeds: themes, positioned: true) { bytes in
                Self.outcome { _ = try Theme.parse(try YAMLNode.text(bytes), file: "fuzz.yaml"); return true }
            },
            Target(name: "allowlist", seeds: [Array("GG-0001\n# comment\n  GG-0002  \n\nGG-0003\n".utf8)], positioned: true) { bytes in
                Self.outcome { _ = try Allowlist.parse(bytes, file: "fuzz.txt"); return true }
            },
            Target(name: "json", seeds: [checkpoint, seedState], positioned: true) { bytes in
                Self.outcome {
                    let value = try JSONValue.parse(bytes)
                    return try JSONValue.parse(Array(value.serialized().utf8)) == value
                }
            },
            Target(name: "aws config", seeds: [awsConfig], positioned: true) { bytes in
                Self.outcome {
                    _ = try SharedConfig.parse(String(decoding: bytes, as: UTF8.self), path: "fuzz-config", isConfigFile: true)
                    return true
                }
            },
            Target(name: "xml", seeds: [xml], positioned: true) { bytes in
                Self.outcome { _ = try XMLElement.parse(bytes); return true }
            },
            Target(name: "websocket", seeds: [frames], positioned: false) { bytes in
                Self.outcome {
                    var decoder = WebSocket.Decoder()
                    decoder.append(bytes)
                    var roundTrip = true
                    while let (opcode, payload) = try decoder.next() {
                        // Framed again (masked, as a client sends) and unmasked by a server's
                        // reading of it, the frame is the same.
                        var again = WebSocket.Decoder()
                        let masked = WebSocket.frame(opcode, payload, mask: [1, 2, 3, 4])
                        var unmaskedAgain = masked
                        let headerLength = masked.count - payload.count
                        unmaskedAgain[1] &= 0x7F
                        unmaskedAgain.removeSubrange(headerLength - 4..<headerLength)
                        for index in (headerLength - 4)..<unmaskedAgain.count { unmaskedAgain[index] ^= [1, 2, 3, 4][(index - (headerLength - 4)) % 4] }
                        again.append(unmaskedAgain)
                        if let (opcode2, payload2) = try again.next() { roundTrip = roundTrip && opcode2 == opcode && payload2 == payload } else { roundTrip = false }
                    }
                    return roundTrip
                }
            },
        ]

        Self.watchdog()
        var report: [String] = []
        for target in targets {
            let tally = Self.run(target)
            report.append("\(target.name): \(Self.inputs) inputs, \(tally.read) read, \(tally.refused) refused with an error")
            #expect(tally.seedsRefused.isEmpty, "\(target.name): its seed inputs are refused: \(tally.seedsRefused)")
            #expect(tally.read > target.seeds.count && tally.refused > 0, "\(target.name): \(tally.read) read, \(tally.refused) refused: it reads or refuses everything")
            #expect(tally.lostRoundTrips == 0, "\(target.name): \(tally.lostRoundTrips) inputs read, written back and read again differ")
            #expect(tally.multiLine.isEmpty, "\(target.name): refusals not on one line: \(tally.multiLine.prefix(3))")
            #expect(tally.unpositioned.isEmpty, "\(target.name): \(tally.unpositioned.count) refusals say not where: \(tally.unpositioned.prefix(5))")
        }
        report.append("peak memory \(Self.peakMB) MB (limit \(Self.memoryLimitMB) MB), seed \(Self.seed), 0 crashes, no input over \(Self.hangSeconds) s of CPU")
        print("fuzz: " + report.joined(separator: "\nfuzz: "))
        #expect(Self.peakMB < Self.memoryLimitMB)
    }
}
