// The dashboard's plan review with 5,000 resources, measured in-process: update + view + the
// frame diff for each key (scrolling, expanding diffs, the replaces/deletes filter), median and
// p99, peak RSS, and the bytes a scroll step sends to the terminal (changed cells only).
import Console
import Fleet
import MQTT
import StackEngine
import StackModel
import TermCore
#if canImport(Glibc)
import Glibc
#endif

func peakRSS() -> Int { memory("VmHWM:") }
func currentRSS() -> Int { memory("VmRSS:") }
func memory(_ field: String) -> Int {
    var buffer = [UInt8](repeating: 0, count: 8192)
    let fd = open("/proc/self/status", O_RDONLY)
    let n = read(fd, &buffer, buffer.count)
    close(fd)
    let text = String(decoding: buffer.prefix(max(0, n)), as: UTF8.self)
    let line = text.split(separator: "\n").first { $0.hasPrefix(field) } ?? ""
    return Int(line.split(separator: " ").dropFirst().first ?? "0").map { $0 / 1024 } ?? 0
}
func milliseconds(_ duration: Duration) -> Double { Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15 }

if CommandLine.arguments.dropFirst().first == "tail" {
    // The Messages screen tailing 20,000 messages a second for 15 s (frames every 33 ms, 660
    // messages each, 500 topics) into the default 100,000-message ring: update + view + frame
    // diff per frame, and memory once the ring is full and at the end.
    let theme = try! Theme.parse(Theme.embedded["default"]!, file: "default.yaml")
    var state = DashboardState(project: "bench", theme: theme)
    state.screens = [.stacks, .messages]
    state.messages.filters = ["device/+/telemetry"]
    _ = Dashboard.update(&state, .broker(.linked("mqtt://bench")))
    _ = Dashboard.update(&state, .broker(.connected))
    let clock = ContinuousClock()
    var previous = Dashboard.view(state, rows: 40, columns: 120)
    var frames: [Double] = [], detailFrames: [Double] = [], searchFrames: [Double] = []
    var rssFull = 0
    let perFrame = 660, framesTotal = 15 * 30
    var sequence = 0
    for frame in 0..<framesTotal {
        var batch: [(Message, Double)] = []
        batch.reserveCapacity(perFrame)
        for _ in 0..<perFrame {
            let device = sequence % 500
            let payload = "{\"temperature\":\(20 + Double(sequence % 97) / 10),\"humidity\":\(40 + sequence % 13),\"battery\":\(100 - sequence % 50),\"seq\":\(sequence)}"
            batch.append((Message(topic: "device/sensor-\(device)/telemetry", payload: Array(payload.utf8)), 1_795_939_200 + Double(sequence) / 20_000))
            sequence += 1
        }
        if frame == framesTotal * 2 / 3 { _ = Dashboard.update(&state, .key(.character("\n"))) }  // the detail pane for the last third
        if frame == framesTotal * 5 / 6 {  // and a regular-expression search for the last sixth
            for key in "/sensor-1[0-4]\n" { _ = Dashboard.update(&state, .key(.character(key))) }
        }
        let start = clock.now
        _ = Dashboard.update(&state, .received(batch))
        let view = Dashboard.view(state, rows: 40, columns: 120)
        _ = view.changes(since: previous)
        previous = view
        let elapsed = milliseconds(clock.now - start)
        if frame >= framesTotal * 5 / 6 { searchFrames.append(elapsed) } else if frame >= framesTotal * 2 / 3 { detailFrames.append(elapsed) } else { frames.append(elapsed) }
        if frame == 8 * 30 { rssFull = currentRSS() }  // 8 s in: the ring has been full for 3 s
    }
    frames.sort()
    detailFrames.sort()
    searchFrames.sort()
    func ms(_ value: Double) -> String { String(Double(Int(value * 100)) / 100) }
    let worst = max(frames[frames.count * 99 / 100], detailFrames[detailFrames.count * 99 / 100], searchFrames[searchFrames.count * 99 / 100])
    print("messages screen tailing 20,000 msg/s for 15 s (\(sequence) messages, ring of \(state.messages.store.capacity)), 120x40, 30 frames/s")
    print("  per frame (update + view + diff): median \(ms(frames[frames.count / 2])) ms, p99 \(ms(frames[frames.count * 99 / 100])) ms, max \(ms(frames.last!)) ms")
    print("  with the detail pane (JSON, changes, sparkline): median \(ms(detailFrames[detailFrames.count / 2])) ms, p99 \(ms(detailFrames[detailFrames.count * 99 / 100])) ms")
    print("  with a regular-expression search as well: median \(ms(searchFrames[searchFrames.count / 2])) ms, p99 \(ms(searchFrames[searchFrames.count * 99 / 100])) ms")
    print("  target 33 ms per frame: ratio \(ms(worst / 33)) (worst p99)")
    print("  held \(state.messages.store.count) messages, dropped \(state.messages.store.dropped); RSS \(rssFull) MB at 8 s, \(currentRSS()) MB at 15 s (flat once the ring is full)")
    exit(worst <= 33 && currentRSS() <= rssFull + 16 ? 0 : 1)
}

if CommandLine.arguments.dropFirst().first == "fleet" {
    // 100,000 devices in the model; a filter typed one key at a time, then erased, then a
    // regex and an inverted filter: update + view + frame diff per keystroke, and peak RSS.
    let theme = try! Theme.parse(Theme.embedded["default"]!, file: "default.yaml")
    var state = DashboardState(project: "bench", theme: theme)
    _ = Dashboard.update(&state, .key(.character(":")))
    for character in "things\n" { _ = Dashboard.update(&state, .key(.character(character))) }
    let models = ["gw-v1", "sensor-v2", "sensor-v3"], sites = ["lab", "plant-a", "plant-b", "field"]
    for page in 0..<400 {
        let devices = (0..<250).map { offset -> Device in
            let index = page * 250 + offset
            return Device(name: "sensor-\(100_000 + index)", type: index % 10 == 0 ? "gateway" : "sensor",
                          attributes: ["model": models[index % 3], "site": sites[index % 4], "serial": "S\(index * 7919 % 1_000_003)"])
        }
        _ = Dashboard.update(&state, .devicesPage(devices, done: page == 399))
    }
    let clock = ContinuousClock()
    var previous = Dashboard.view(state, rows: 40, columns: 120)
    var durations: [Double] = []
    let keys: [TerminalEvent] = [.character("/")] + "sensor-1234".map { .character($0) } + Array(repeating: .function(263), count: 11)
        + "plant-[ab]".map { .character($0) } + [.character("\n"), .character("G"), .character("g"), .character("/")] + "!gateway".map { .character($0) } + [.character("\n")]
    for key in keys {
        let start = clock.now
        _ = Dashboard.update(&state, .key(key))
        let frame = Dashboard.view(state, rows: 40, columns: 120)
        _ = frame.changes(since: previous)
        previous = frame
        durations.append(milliseconds(clock.now - start))
    }
    durations.sort()
    let median = durations[durations.count / 2], p99 = durations[min(durations.count - 1, durations.count * 99 / 100)]
    func ms(_ value: Double) -> String { String(Double(Int(value * 100)) / 100) }
    print("devices screen with \(state.fleet.model.devices.count) devices, \(keys.count) filter keystrokes at 120x40 (text, regex, inverted)")
    print("  update + view + diff per keystroke: median \(ms(median)) ms (target 16, ratio \(ms(median / 16))), p99 \(ms(p99)) ms (target 50, ratio \(ms(p99 / 50)))")
    print("  peak RSS \(peakRSS()) MB (target 200 MB)")
    exit(median <= 16 && p99 <= 50 && peakRSS() <= 200 ? 0 : 1)
}

let count = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 5000
var steps: [Step] = []
for index in 0..<count {
    let urn = URN(stack: "prod", project: "bench", type: "aws-native:iot:Thing", name: "sensor\(index)")
    let kind: StepKind = index % 50 == 0 ? .replace : (index % 7 == 0 ? .update : .create)
    let old = kind == .create ? nil : ResourceState(urn: urn, id: "sensor-\(index)", type: urn.type, inputs: ["thingName": .string("sensor-\(index)")], outputs: [:])
    let inputs: [String: PropertyValue] = ["thingName": .string("sensor-\(index)\(kind == .replace ? "b" : "")"),
                                           "attributePayload": .object(["attributes": .object(["serial": .string("S\(index)")])])]
    let diffs = Differ.diff(old: old?.inputs ?? [:], new: inputs, replaceOn: ["thingName"])
    steps.append(Step(kind: kind, urn: urn, type: urn.type, old: old, inputs: inputs, diffs: diffs,
                      replaceReasons: kind == .replace ? ["thingName"] : [], deleteFirst: false, dependencies: []))
}
let plan = Plan(steps: steps, programHash: "", configHash: "", stateHash: "")
let theme = try! Theme.parse(Theme.embedded["default"]!, file: "default.yaml")

var state = DashboardState(project: "bench", theme: theme)
_ = Dashboard.update(&state, .stacksLoaded([StackSummary(name: "prod", production: true)]))
_ = Dashboard.update(&state, .key(.character("\n")))
_ = Dashboard.update(&state, .planned(PlanView(stack: "prod", hash: "bench", plan: plan, production: true), .update))
_ = Dashboard.update(&state, .key(.character("p")))

let clock = ContinuousClock()
var previous = Dashboard.view(state, rows: 40, columns: 120)
var durations: [Double] = []
var scrollBytes: [Int] = []
let keys: [Character] = Array(repeating: "j", count: 1500) + ["\n", "j", "\n", "x", "x", "G"] + Array(repeating: "k", count: 300) + ["g"]
for key in keys {
    let start = clock.now
    _ = Dashboard.update(&state, .key(.character(key)))
    let frame = Dashboard.view(state, rows: 40, columns: 120)
    let runs = frame.changes(since: previous)
    let elapsed = clock.now - start
    durations.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
    if key == "j" || key == "k" { scrollBytes.append(runs.reduce(0) { $0 + $1.text.utf8.count + 8 }) }  // + cursor move and style
    previous = frame
}
durations.sort()
scrollBytes.sort()
let median = durations[durations.count / 2], p99 = durations[durations.count * 99 / 100]
print("plan review of \(count) resources, \(keys.count) keys at 120x40")
print("  update + view + diff per key: median \(Double(Int(median * 1000)) / 1000) ms, p99 \(Double(Int(p99 * 1000)) / 1000) ms (target 16 ms; ratio \(Double(Int(p99 / 16 * 100)) / 100))")
print("  peak RSS: \(peakRSS()) MB (target 150 MB)")
print("  bytes per scroll step: median \(scrollBytes[scrollBytes.count / 2]), max \(scrollBytes.last ?? 0) (a full 120x40 redraw is about \(120 * 40) cells)")
exit(p99 <= 16 && peakRSS() <= 150 ? 0 : 1)
