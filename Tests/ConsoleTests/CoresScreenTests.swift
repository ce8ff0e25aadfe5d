@testable import Console
import FleetValues
import TermCore
import Testing

/// The Greengrass core devices screen: health, nucleus, platform and the age of the last
/// report; stale devices marked; counts in the header; filter, sort, Enter to the device.
@Suite struct CoresScreenTests {
    static let now: Int64 = 1_796_000_000
    static let list = CoreDeviceList(devices: [
        CoreDeviceSummary(name: "GG-0001", status: "HEALTHY", coreVersion: "2.12.6", platform: "linux", architecture: "aarch64", lastReport: now - 40),
        CoreDeviceSummary(name: "GG-0002", status: "UNHEALTHY", coreVersion: "2.12.6", platform: "linux", architecture: "aarch64", lastReport: now - 10),
        // Reported HEALTHY, but not within the interval: old news.
        CoreDeviceSummary(name: "GG-0003", status: "HEALTHY", coreVersion: "2.12.0", platform: "linux", architecture: "amd64", lastReport: now - 4_000),
    ], interval: 3_600)

    func opened() -> DashboardState {
        var state = DashboardState(project: "fleet", theme: DashboardTests.theme)
        (state.rows, state.columns) = (24, 120)
        for character in ":cores\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        _ = Dashboard.update(&state, .clock(Self.now))
        _ = Dashboard.update(&state, CoresScreen.cores.answered(Self.list))
        return state
    }

    @Test func theCommandOpensTheScreenAndAsksForTheDevices() {
        var state = DashboardState(project: "fleet")
        var commands: [DashboardCommand] = []
        for character in ":cores\n" { commands = Dashboard.update(&state, .key(.character(character))) }
        #expect(state.screen == .cores)
        #expect(commands == [CoresScreen.cores.command])
        #expect(Dashboard.view(state, rows: 24, columns: 100).lines[2].contains("Loading the core devices"))
        #expect(Dashboard.update(&state, .key(.character("r"))) == [CoresScreen.cores.command])
    }

    @Test func healthNucleusPlatformAgeAndStaleness() {
        let state = opened()
        let frame = Dashboard.view(state, rows: 24, columns: 120)
        let lines = frame.lines
        #expect(lines[1].contains("3 core devices: 2 HEALTHY, 1 UNHEALTHY, 1 stale (no report in 1 h)"), "\(lines[1])")
        #expect(lines[2].contains("nucleus 2.12.6 (2), 2.12.0 (1) · linux/aarch64 (2), linux/amd64 (1)"), "\(lines[2])")
        let row = { (name: String) in lines.firstIndex { $0.contains(name) }! }
        #expect(lines[row("GG-0001")].contains("HEALTHY") && lines[row("GG-0001")].contains("40 s"))
        #expect(lines[row("GG-0003")].contains("HEALTHY (stale)") && lines[row("GG-0003")].contains("66 min"))
        #expect(!lines[row("GG-0001")].contains("stale"))
        // The unhealthy and the stale ones stand out; the healthy one does not.
        let error = DashboardTests.theme[.error]
        #expect(frame[row("GG-0002"), 3].style == error && frame[row("GG-0003"), 3].style == error)
        #expect(frame[row("GG-0001"), 3].style != error)
    }

    @Test func golden() throws {
        for (rows, columns) in [(24, 80), (40, 120), (50, 200)] {
            try DashboardTests().check("cores-\(columns)x\(rows)", Dashboard.view(opened(), rows: rows, columns: columns))
        }
    }

    @Test func filterSortAndEnterOpensTheDevice() {
        var state = opened()
        for character in "/unhealthy\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        #expect(CoresScreen.rows(state)?.map(\.device.name) == ["GG-0002"])
        #expect(Dashboard.view(state, rows: 24, columns: 120).lines[1].contains("1 match /unhealthy"))
        state.filter = ""
        _ = Dashboard.update(&state, .key(.character("s")))  // by DEVICE
        _ = Dashboard.update(&state, .key(.character("s")))  // by HEALTH
        #expect(CoresScreen.rows(state)?.map(\.device.name) == ["GG-0001", "GG-0003", "GG-0002"])
        _ = Dashboard.update(&state, .key(.character("S")))
        #expect(CoresScreen.rows(state)?.map(\.device.name).first == "GG-0002")
        let commands = Dashboard.update(&state, .key(.character("\n")))
        #expect(state.screen == .core("GG-0002"))
        #expect(commands == [CoreScreen.detail("GG-0002")])
        // Back: the list as it was left, its order kept.
        _ = Dashboard.update(&state, .key(.character("\u{1b}")))
        #expect(state.screen == .cores && CoresScreen.rows(state)?.first?.device.name == "GG-0002")
    }

    static let broken = CoreDeviceDetail(
        device: CoreDeviceSummary(name: "GG-0002", status: "UNHEALTHY", coreVersion: "2.12.6", platform: "linux", architecture: "aarch64", lastReport: now - 10),
        components: [
            InstalledComponent(name: "docker_corrupt", version: "1.0.0", state: "BROKEN", details: "the container exited with status 1", statusCodes: ["RUN_ERROR"],
                               isRoot: true, installedBy: "arn:aws:greengrass:us-east-1:123456789012:configuration:thinggroup/GreengrassGroup:1"),
            InstalledComponent(name: "docker_led", version: "1.0.3", state: "RUNNING", isRoot: true,
                               installedBy: "arn:aws:greengrass:us-east-1:123456789012:configuration:thinggroup/GreengrassGroup:1"),
            InstalledComponent(name: "aws.greengrass.Nucleus", version: "2.12.6", state: "RUNNING", isRoot: false),
        ],
        deployments: [EffectiveDeployment(id: "d1", name: "thinggroup/GreengrassGroup:1", target: "arn:aws:iot:us-east-1:123456789012:thinggroup/GreengrassGroup",
                                          status: "FAILED", reason: "docker_corrupt: the component broke after 3 restarts (exit status 1); rolled back",
                                          errorStack: ["DEPLOYMENT_FAILURE", "COMPONENT_UPDATE_ERROR", "COMPONENT_BROKEN"], errorTypes: ["COMPONENT_ERROR"])],
        groups: ["GreengrassGroup"], interval: 3_600)

    func onCore() -> DashboardState {
        var state = opened()
        _ = Dashboard.update(&state, .key(.character("j")))
        _ = Dashboard.update(&state, .key(.character("\n")))
        _ = Dashboard.update(&state, CoreScreen.detail.answered("GG-0002", .success(Self.broken)))
        return state
    }

    /// A broken component shows why the device is unhealthy: the component BROKEN with its
    /// status codes, the deployment FAILED with its reason and error types; Enter opens the
    /// component whole, `d` the thing, and the thing's `c` comes back.
    @Test func aCoreDeviceSaysWhyItIsUnhealthy() throws {
        var state = onCore()
        let lines = Dashboard.view(state, rows: 24, columns: 160).lines
        #expect(lines[1].contains("UNHEALTHY · nucleus 2.12.6 · linux/aarch64 · last report 10 s ago · groups GreengrassGroup"), "\(lines[1])")
        #expect(lines[2].contains("why: docker_corrupt 1.0.0 is BROKEN (RUN_ERROR): the container exited with status 1; deployment thinggroup/GreengrassGroup:1 FAILED"),
                "\(lines[2])")
        let row = try #require(lines.indices.dropFirst(3).first { lines[$0].contains("docker_corrupt") && lines[$0].contains("BROKEN") })
        #expect(lines[row].contains("RUN_ERROR") && lines[row].contains("root") && lines[row].contains("thinggroup/GreengrassGroup:1"), "\(lines[row])")
        #expect(lines.contains { $0.contains("aws.greengrass.Nucleus") && $0.contains("dependency") })
        let deployment = try #require(lines.firstIndex { $0.hasPrefix(" thinggroup/GreengrassGroup:1  FAILED  docker_corrupt: the component broke") })
        #expect(lines[deployment + 1].contains("error types COMPONENT_ERROR · error stack DEPLOYMENT_FAILURE > COMPONENT_UPDATE_ERROR > COMPONENT_BROKEN"),
                "\(lines[deployment + 1])")
        for (rows, columns) in [(24, 80), (40, 120), (50, 200)] {
            try DashboardTests().check("core-\(columns)x\(rows)", Dashboard.view(state, rows: rows, columns: columns))
        }
        _ = Dashboard.update(&state, .key(.character("\n")))
        #expect(Dashboard.view(state, rows: 24, columns: 120).lines.joined(separator: "\n").contains("RUN_ERROR"))
        _ = Dashboard.update(&state, .key(.character("\u{1b}")))
        #expect(Dashboard.update(&state, .key(.character("d"))) == [DeviceScreen.detail("GG-0002")])
        #expect(state.screen == .device("GG-0002"))
        _ = Dashboard.update(&state, .deviceLoaded("GG-0002", DeviceDetail(groups: [], certificates: [], policies: [], shadows: [],
                                                                           coreDevice: .success(CoreDevice(status: "UNHEALTHY")))))
        #expect(Dashboard.update(&state, .key(.character("c"))) == [CoreScreen.detail("GG-0002")])
        #expect(state.screen == .core("GG-0002"))
        _ = Dashboard.update(&state, CoreScreen.detail.answered("GG-0002", .success(Self.broken)))
        // Its messages: the device's topics subscribed, the list filtered to it.
        #expect(Dashboard.update(&state, .key(.character("m"))) == [.connectBroker, .subscribe(["device/GG-0002/#"])])
        #expect(state.screen == .messages && state.filter == "GG-0002" && state.messages.filters == ["device/GG-0002/#"])
    }

    @Test func aThingThatIsNoCoreDeviceSaysSo() {
        var state = opened()
        state.screens.append(.device("sensor-1"))
        _ = Dashboard.update(&state, .deviceLoaded("sensor-1", DeviceDetail(groups: [], certificates: [], policies: [], shadows: [])))
        #expect(Dashboard.update(&state, .key(.character("c"))).isEmpty)
        #expect(state.notice == "sensor-1 is not a Greengrass core device (or that could not be read)")
    }

    @Test func aFailedListingSaysWhyAndShowsNothingAsEmpty() {
        var state = DashboardState(project: "fleet")
        for character in ":cores\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        _ = Dashboard.update(&state, CoresScreen.cores.answered((), .failure(DashboardError(message: "AccessDeniedException: greengrass:ListCoreDevices"))))
        #expect(state.notice?.contains("AccessDeniedException") == true)
        #expect(!Dashboard.view(state, rows: 24, columns: 100).lines.joined().contains("No core devices"))
        // The placeholder says why, rather than counting on as if an answer were coming.
        #expect(Dashboard.view(state, rows: 24, columns: 120).lines[2].contains(
            "Loading the core devices: could not be read: AccessDeniedException: greengrass:ListCoreDevices (r asks again)"))
        #expect(Dashboard.update(&state, .key(.character("r"))) == [CoresScreen.cores.command])
        #expect(Dashboard.view(state, rows: 24, columns: 120).lines[2].contains("Loading the core devices…"))
    }
}
