// The dashboard's plan review with 5,000 resources, measured in-process: update + view + the
// frame diff for each key (scrolling, expanding diffs, the replaces/deletes filter), median and
// p99, peak RSS, and the bytes a scroll step sends to the terminal (changed cells only).
import Console
import StackEngine
import StackModel
import TermCore
#if canImport(Glibc)
import Glibc
#endif

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
func peakRSS() -> Int {
    var buffer = [UInt8](repeating: 0, count: 8192)
    let fd = open("/proc/self/status", O_RDONLY)
    let n = read(fd, &buffer, buffer.count)
    close(fd)
    let text = String(decoding: buffer.prefix(max(0, n)), as: UTF8.self)
    let line = text.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
    return Int(line.split(separator: " ").dropFirst().first ?? "0").map { $0 / 1024 } ?? 0
}
let median = durations[durations.count / 2], p99 = durations[durations.count * 99 / 100]
print("plan review of \(count) resources, \(keys.count) keys at 120x40")
print("  update + view + diff per key: median \(Double(Int(median * 1000)) / 1000) ms, p99 \(Double(Int(p99 * 1000)) / 1000) ms (target 16 ms; ratio \(Double(Int(p99 / 16 * 100)) / 100))")
print("  peak RSS: \(peakRSS()) MB (target 150 MB)")
print("  bytes per scroll step: median \(scrollBytes[scrollBytes.count / 2]), max \(scrollBytes.last ?? 0) (a full 120x40 redraw is about \(120 * 40) cells)")
exit(p99 <= 16 && peakRSS() <= 150 ? 0 : 1)
