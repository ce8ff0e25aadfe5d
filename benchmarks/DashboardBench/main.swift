// In-process dashboard benchmarks (release build); each prints its figures and a RESULT line
// that its wrapper under benchmarks/ records. Default: the plan review with 5,000 resources:
// update + view + the frame diff for each key (scrolling, expanding diffs, the replaces/deletes
// filter), median and p99, peak RSS, and the cells a scroll step hands the terminal (the bytes
// the terminal receives are counted by benchmarks/dashboard-review on a real pseudo-terminal).
import Console
import FleetValues
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
/// The line the benchmark's wrapper script reads (and records in benchmarks/results/NAME.json).
func result(_ fields: [String: Double]) {
    print("RESULT {" + fields.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}")
}
func percentile(_ sorted: [Double], _ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
/// update + view + frame diff for each key at 120x40, in milliseconds, sorted.
func keyToFrame(_ state: inout DashboardState, _ keys: [TerminalEvent]) -> [Double] {
    let clock = ContinuousClock()
    var previous = Dashboard.view(state, rows: 40, columns: 120)
    var durations: [Double] = []
    for key in keys {
        let start = clock.now
        _ = Dashboard.update(&state, .key(key))
        let frame = Dashboard.view(state, rows: 40, columns: 120)
        _ = frame.changes(since: previous)
        previous = frame
        durations.append(milliseconds(clock.now - start))
    }
    return durations.sorted()
}

func milliseconds(_ duration: Duration) -> Double { Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15 }

if CommandLine.arguments.dropFirst().first == "tail" {
    // The Messages screen tailing 50,000 messages a second for 15 s at 60 frames a second (833
    // messages a frame, 500 topics) into the default 100,000-message ring: update + view +
    // frame diff per frame (budget 16 ms), and memory once the ring is full and at the end.
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
    let rate = Int(CommandLine.arguments.dropFirst(2).first ?? "") ?? 50_000, fps = 60
    let perFrame = rate / fps, framesTotal = 15 * fps
    var sequence = 0
    for frame in 0..<framesTotal {
        var batch: [(Message, Double)] = []
        batch.reserveCapacity(perFrame)
        for _ in 0..<perFrame {
            let device = sequence % 500
            let payload = "{\"temperature\":\(20 + Double(sequence % 97) / 10),\"humidity\":\(40 + sequence % 13),\"battery\":\(100 - sequence % 50),\"seq\":\(sequence)}"
            batch.append((Message(topic: "device/sensor-\(device)/telemetry", payload: Array(payload.utf8)), 1_795_939_200 + Double(sequence) / Double(rate)))
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
        if frame == 8 * fps { rssFull = currentRSS() }  // 8 s in: the ring (100,000 messages) has been full for 6 s
    }
    frames.sort()
    detailFrames.sort()
    searchFrames.sort()
    func ms(_ value: Double) -> String { String(Double(Int(value * 100)) / 100) }
    let worst = max(percentile(frames, 0.99), percentile(detailFrames, 0.99), percentile(searchFrames, 0.99))
    print("messages screen tailing \(rate) msg/s for 15 s (\(sequence) messages, ring of \(state.messages.store.capacity)), 120x40, \(fps) frames/s")
    print("  per frame (update + view + diff): median \(ms(frames[frames.count / 2])) ms, p99 \(ms(percentile(frames, 0.99))) ms, max \(ms(frames.last!)) ms")
    print("  with the detail pane (JSON, changes, sparkline): median \(ms(detailFrames[detailFrames.count / 2])) ms, p99 \(ms(percentile(detailFrames, 0.99))) ms")
    print("  with a regular-expression search as well: median \(ms(searchFrames[searchFrames.count / 2])) ms, p99 \(ms(percentile(searchFrames, 0.99))) ms")
    print("  held \(state.messages.store.count) messages, dropped \(state.messages.store.dropped); RSS \(rssFull) MB at 8 s, \(currentRSS()) MB at 15 s")
    result(["rate": Double(rate), "frames": Double(framesTotal), "p99": percentile(frames, 0.99), "p99Detail": percentile(detailFrames, 0.99),
            "p99Search": percentile(searchFrames, 0.99), "worstP99": worst, "rssFull": Double(rssFull), "rssEnd": Double(currentRSS())])
    exit(0)
}

if CommandLine.arguments.dropFirst().first == "matrix" {
    // The fleet x component matrix at 10,000 core devices x 8 root components (as the sandbox's
    // simulated cores report them: two versions of one component, a broken one on every tenth),
    // scrolled and crossed with the keys a person uses: j/k, PgDn/PgUp, G/g, ←/→, a filter typed
    // and erased. update + view + frame diff per key (p99 over all), and peak RSS.
    let theme = try! Theme.parse(Theme.embedded["default"]!, file: "default.yaml")
    var state = DashboardState(project: "bench", theme: theme)
    (state.rows, state.columns) = (40, 120)
    for character in ":matrix\n" { _ = Dashboard.update(&state, .key(.character(character))) }
    let deviceCount = Int(CommandLine.arguments.dropFirst(2).first ?? "") ?? 10_000
    let names = ["aws.greengrass.Cli", "docker_led", "docker_button", "docker_certificate_rotator", "os_update", "telemetry_bridge", "log_shipper", "docker_corrupt"]
    let rows = (0..<deviceCount).map { index -> (device: String, components: [InstalledComponent]) in
        let components = names.enumerated().compactMap { column, name -> InstalledComponent? in
            if name == "docker_corrupt" && index % 10 != 9 { return nil }
            let version = name == "docker_led" && index % 4 == 3 ? "1.0.2" : "1.0.\(3 + column % 2)"
            return InstalledComponent(name: name, version: version, state: name == "docker_corrupt" ? "BROKEN" : "RUNNING", isRoot: true)
        }
        return ("GG-\(100_000 + index)", components)
    }
    let built = ContinuousClock.now
    _ = Dashboard.update(&state, MatrixScreen.matrix.answered(nil, .success(ComponentMatrix(rows))))
    let loadMS = milliseconds(ContinuousClock.now - built)
    let round: [TerminalEvent] = Array(repeating: .character("j"), count: 40) + [.key(.pageDown), .key(.pageDown), .key(.right), .key(.right), .key(.right),
        .character("G"), .key(.pageUp), .key(.left), .character("g")] + Array(repeating: .character("k"), count: 5)
        + [.character("/")] + "GG-1000".map { .character($0) } + Array(repeating: .key(.backspace), count: 7) + [.character("\n")]
    let keys = Array(Array(repeating: round, count: 16).joined())
    let durations = keyToFrame(&state, keys)
    let median = durations[durations.count / 2], p99 = percentile(durations, 0.99)
    func ms(_ value: Double) -> String { String(Double(Int(value * 100)) / 100) }
    print("matrix screen with \(deviceCount) core devices x \(names.count) components, \(keys.count) keys at 120x40 (scrolls, columns, a filter)")
    print("  load \(ms(loadMS)) ms; update + view + diff per key: median \(ms(median)) ms, p99 \(ms(p99)) ms, max \(ms(durations.last!)) ms; peak RSS \(peakRSS()) MB")
    result(["devices": Double(deviceCount), "components": Double(names.count), "keys": Double(keys.count), "load": loadMS, "median": median, "p99": p99,
            "max": durations.last!, "peakRSS": Double(peakRSS())])
    exit(0)
}

if CommandLine.arguments.dropFirst().first == "deploy-plan" {
    // A Greengrass deployment's plan for 10,000 core devices (upstream's six components plus the
    // CLI; each device with its root components, a tenth of them x86_64, a quarter on an older
    // docker_led, a group's other deployment keeping one component): the plan made (components,
    // device by device) and its text, as `gg deploy --preview` and `:deploy` show it. AWS's calls
    // are not in it (they are the network's); peak RSS with the plan held.
    let deviceCount = Int(CommandLine.arguments.dropFirst(2).first ?? "") ?? 10_000
    let names = ["aws.greengrass.Cli", "docker_led", "docker_button", "docker_certificate_rotator", "docker_corrupt", "os_update"]
    let group = "arn:aws:iot:us-east-1:123456789012:thinggroup/GreengrassGroup"
    let spec = DeploymentSpec(target: group, name: "Deployment from CI/CD pipeline",
                              components: Dictionary(uniqueKeysWithValues: names.map { ($0, DeploymentSpec.Component(version: "1.0.4", reset: [""])) }),
                              request: ["targetArn": .string(group), "iotJobConfiguration": ["jobExecutionsRolloutConfig": ["maximumPerMinute": 1000]]])
    let devices = (0..<deviceCount).map { index in
        DeploymentPlan.Device(name: "GG-\(100_000 + index)", platform: ("linux", index % 10 == 9 ? "amd64" : "aarch64"),
                              installed: ["aws.greengrass.Cli": "1.0.4", "docker_led": index % 4 == 3 ? "1.0.2" : "1.0.3", "docker_button": "1.0.3",
                                          "legacy_agent": "0.9.0"],
                              keptByOthers: index % 3 == 0 ? ["legacy_agent"] : [])
    }
    let facts = Dictionary(uniqueKeysWithValues: names.map { name in
        (name, DeploymentPlan.ComponentFacts(platforms: name.hasPrefix("docker") ? [["os": "linux", "architecture": "aarch64"]] : [], restarts: name == "os_update"))
    })
    var timings: [Double] = []
    var lines = 0
    for _ in 0..<5 {
        let start = ContinuousClock.now
        let plan = DeploymentPlan(spec: spec, current: ("d-1", "1", ["aws.greengrass.Cli": "1.0.4", "docker_led": "1.0.3", "docker_button": "1.0.3", "legacy_agent": "0.9.0"]),
                                  devices: devices, facts: facts)
        lines = plan.body.split(separator: "\n").count
        timings.append(milliseconds(ContinuousClock.now - start))
    }
    timings.sort()
    func ms(_ value: Double) -> String { String(Double(Int(value * 100)) / 100) }
    print("deployment plan for \(deviceCount) core devices x \(names.count) components (\(lines) lines of plan), 5 times")
    print("  plan + text: median \(ms(timings[2])) ms, worst \(ms(timings.last!)) ms; peak RSS \(peakRSS()) MB")
    result(["devices": Double(deviceCount), "components": Double(names.count), "median": timings[2], "worst": timings.last!, "peakRSS": Double(peakRSS())])
    exit(0)
}

if CommandLine.arguments.dropFirst().first == "rollout" {
    // A rollout of 10,000 executions on the job screen, watched: the executions read again (as
    // the screen's timer does) with a hundred more devices moving each time (queued, in
    // progress, succeeded, failed with one of three reasons), between the keys a person uses
    // (j/k, PgDn, G/g, a filter typed and erased). update + view + frame diff per frame.
    let theme = try! Theme.parse(Theme.embedded["default"]!, file: "default.yaml")
    var state = DashboardState(project: "bench", theme: theme)
    (state.rows, state.columns) = (40, 120)
    let deviceCount = Int(CommandLine.arguments.dropFirst(2).first ?? "") ?? 10_000
    for character in ":jobs\n" { _ = Dashboard.update(&state, .key(.character(character))) }
    _ = Dashboard.update(&state, JobsScreen.jobs.answered([Job(id: "deploy-1", status: "IN_PROGRESS", targetSelection: "CONTINUOUS",
                                                               targets: ["arn:aws:iot:us-east-1:1:thinggroup/GreengrassGroup"], counts: ["QUEUED": deviceCount])]))
    _ = Dashboard.update(&state, .key(.key(.enter)))
    let reasons = ["docker_corrupt: the component broke after 3 restarts (exit status 1); rolled back", "No matching platform for docker_led 1.0.4", "timed out"]
    func executions(_ moved: Int) -> [JobExecution] {
        (0..<deviceCount).map { index in
            let status = index < moved ? (index % 7 == 0 ? "FAILED" : "SUCCEEDED") : index < moved + 100 ? "IN_PROGRESS" : "QUEUED"
            return JobExecution(job: "deploy-1", thing: "GG-\(100_000 + index)", status: status,
                                details: status == "FAILED" ? ["failureCause": reasons[index % 3]] : [:], updated: 1_796_000_000 + Int64(index))
        }
    }
    let clock = ContinuousClock()
    var previous = Dashboard.view(state, rows: 40, columns: 120)
    var durations: [Double] = []
    let round: [TerminalEvent] = Array(repeating: .character("j"), count: 20) + [.key(.pageDown), .character("G"), .character("g"), .character("/")]
        + "GG-1000".map { .character($0) } + Array(repeating: .key(.backspace), count: 7) + [.character("\n")]
    for poll in 0..<40 {
        let answered = executions(poll * 100)
        let start = clock.now
        _ = Dashboard.update(&state, JobsScreen.executions.answered("deploy-1", .success(Rollout(executions: answered))))
        var frame = Dashboard.view(state, rows: 40, columns: 120)
        _ = frame.changes(since: previous)
        durations.append(milliseconds(clock.now - start))
        previous = frame
        for key in round {
            let keyStart = clock.now
            _ = Dashboard.update(&state, .key(key))
            frame = Dashboard.view(state, rows: 40, columns: 120)
            _ = frame.changes(since: previous)
            durations.append(milliseconds(clock.now - keyStart))
            previous = frame
        }
    }
    durations.sort()
    let median = durations[durations.count / 2], p99 = percentile(durations, 0.99)
    func ms(_ value: Double) -> String { String(Double(Int(value * 100)) / 100) }
    print("rollout of \(deviceCount) executions watched on the job screen: 40 reads, \(durations.count) frames at 120x40 (reads, scrolls, a filter)")
    print("  update + view + diff per frame: median \(ms(median)) ms, p99 \(ms(p99)) ms, max \(ms(durations.last!)) ms; peak RSS \(peakRSS()) MB")
    result(["executions": Double(deviceCount), "frames": Double(durations.count), "median": median, "p99": p99, "max": durations.last!, "peakRSS": Double(peakRSS())])
    exit(0)
}

if CommandLine.arguments.dropFirst().first == "fleet" {
    // 1,000,000 devices in the model (pages of 250, as ListThings returns them); filters typed
    // one key at a time, erased, a regex and an inverted filter, and cursor movement, repeated
    // for over 1,000 keystrokes: update + view + frame diff per keystroke (p99 over all of
    // them), and peak RSS.
    let theme = try! Theme.parse(Theme.embedded["default"]!, file: "default.yaml")
    var state = DashboardState(project: "bench", theme: theme)
    _ = Dashboard.update(&state, .key(.character(":")))
    for character in "things\n" { _ = Dashboard.update(&state, .key(.character(character))) }
    let models = ["gw-v1", "sensor-v2", "sensor-v3"], sites = ["lab", "plant-a", "plant-b", "field"]
    let deviceCount = Int(CommandLine.arguments.dropFirst(2).first ?? "") ?? 1_000_000
    let pages = deviceCount / 250
    for page in 0..<pages {
        let devices = (0..<250).map { offset -> Device in
            let index = page * 250 + offset
            return Device(name: "sensor-\(1_000_000 + index)", type: index % 10 == 0 ? "gateway" : "sensor",
                          attributes: ["model": models[index % 3], "site": sites[index % 4], "serial": "S\(index * 7919 % 1_000_003)"])
        }
        _ = Dashboard.update(&state, .devicesPage(devices, done: page == pages - 1))
    }
    let round: [TerminalEvent] = [.character("/")] + "sensor-1234".map { .character($0) } + Array(repeating: .key(.backspace), count: 11)
        + "plant-[ab]".map { .character($0) } + [.character("\n"), .character("G"), .character("g")] + Array(repeating: .character("j"), count: 20)
        + [.character("/")] + Array(repeating: .key(.backspace), count: 10) + "!gateway".map { .character($0) } + [.character("\n"), .character("/")]
        + Array(repeating: .key(.backspace), count: 8) + [.character("\n")]
    let keys = Array(Array(repeating: round, count: 12).joined())
    let durations = keyToFrame(&state, keys)
    let median = durations[durations.count / 2], p99 = percentile(durations, 0.99)
    func ms(_ value: Double) -> String { String(Double(Int(value * 100)) / 100) }
    print("devices screen with \((pages * 250)) devices, \(keys.count) keystrokes at 120x40 (filters typed and erased, regex, inverted, moves)")
    print("  update + view + diff per keystroke: median \(ms(median)) ms, p99 \(ms(p99)) ms, max \(ms(durations.last!)) ms; peak RSS \(peakRSS()) MB")
    result(["devices": Double((pages * 250)), "keystrokes": Double(keys.count), "median": median, "p99": p99,
            "max": durations.last!, "peakRSS": Double(peakRSS())])
    exit(0)
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
_ = Dashboard.update(&state, .key(.character("p")))  // the review asks for a plan; this is its answer
_ = Dashboard.update(&state, .planned(PlanView(stack: "prod", hash: "bench", plan: plan, production: true), .update))
precondition(Dashboard.view(state, rows: 40, columns: 120).lines.joined().contains("sensor1"), "the plan review is not on screen")

let clock = ContinuousClock()
var previous = Dashboard.view(state, rows: 40, columns: 120)
var durations: [Double] = []
var scrollCells: [Int] = []
let keys: [Character] = Array(repeating: "j", count: 1500) + ["\n", "j", "\n", "x", "x", "G"] + Array(repeating: "k", count: 300) + ["g"]
for key in keys {
    let start = clock.now
    _ = Dashboard.update(&state, .key(.character(key)))
    let frame = Dashboard.view(state, rows: 40, columns: 120)
    let runs = frame.changes(since: previous)
    let elapsed = clock.now - start
    durations.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
    if key == "j" || key == "k" { scrollCells.append(runs.reduce(0) { $0 + $1.text.count }) }  // cells the diff hands the terminal
    previous = frame
}
durations.sort()
scrollCells.sort()
let median = durations[durations.count / 2], p99 = percentile(durations, 0.99)
print("plan review of \(count) resources, \(keys.count) keys at 120x40")
print("  update + view + diff per key: median \(Double(Int(median * 1000)) / 1000) ms, p99 \(Double(Int(p99 * 1000)) / 1000) ms; peak RSS \(peakRSS()) MB")
print("  changed cells per scroll step: median \(scrollCells[scrollCells.count / 2]), max \(scrollCells.last ?? 0) (of \(120 * 40) on screen)")
result(["resources": Double(count), "keys": Double(keys.count), "median": median, "p99": p99, "peakRSS": Double(peakRSS()),
        "changedCellsPerScroll": Double(scrollCells[scrollCells.count / 2])])
exit(0)
