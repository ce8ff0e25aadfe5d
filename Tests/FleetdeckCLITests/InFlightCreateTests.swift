import Foundation
import TestSupport
import Testing

/// Issue 26: a create found again only by lookup (a certificate from a CSR) whose request was
/// still in flight when its run was killed. The sandbox's moto holds the request (it commits a
/// few seconds after the client died, as AWS commits what it received); the next run must not
/// conclude "never created" while it may still land, and a second certificate made from the same
/// create (here: one more landed attempt) is found and deleted as part of the next plan.
@Suite struct InFlightCreateTests {
    /// The certificates in the account whose subject's common name is `cn`, their ids sorted.
    static func certificates(_ cn: String) throws -> String { try CertificateKillTests.census(cn).certificates.joined(separator: " ") }

    @Test func aCreateStillInFlightWhenItsRunDiedIsAdoptedAndADuplicateIsDeleted() throws {
        let sandbox = try #require(ProcessInfo.processInfo.environment["FLEETDECK_SANDBOX_DIR"], "run with scripts/test: the sandbox is not running")
        let p = "inflight\(UUID().uuidString.prefix(6).lowercased())"
        let project = try DeployAcceptanceTests.Project(program: """
            name: \(p)
            runtime: yaml
            resources:
              cert:
                type: aws-native:iot:Certificate
                properties:
                  certificateSigningRequest:
                    fn::readFile: device.csr
                  status: ACTIVE
            """)
        let csr = try ProcessRunner.shell("cd \(project.folder) && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout device.key -out device.csr -subj /CN=\(p) 2>&1")
        try #require(csr.status == 0, "\(csr.stdout)")

        // The server holds this CSR's create for 3 s; the run is killed once the server has it.
        let holds = sandbox + "/hold"
        try FileManager.default.createDirectory(atPath: holds, withIntermediateDirectories: true)
        try "3".write(toFile: "\(holds)/\(p)", atomically: true, encoding: .utf8)
        var environment = project.environment
        environment["FLEETDECK_REQUEST_LIFETIME_SECONDS"] = "8"
        let quiet = open("/dev/null", O_WRONLY)
        defer { close(quiet) }
        let pid = try ProcessRunner.spawn(ProcessRunner.fleetdeckBinary, ["up", "--yes", "-C", project.folder, "-s", "dev"],
                                          environment: ProcessRunner.environment(environment), stdout: quiet, stderr: quiet)
        let received = eventually(timeout: .seconds(60)) { FileManager.default.fileExists(atPath: "\(holds)/\(p).received") }
        kill(pid, SIGKILL)
        _ = ProcessRunner.waitForExit(pid)
        try FileManager.default.removeItem(atPath: "\(holds)/\(p)")
        try #require(received, "the server never received the create")
        #expect(try Self.certificates(p).isEmpty, "the held create is not committed yet")

        // One more certificate from the same CSR, as a retry of the dead run's create would have made.
        _ = try DeployAcceptanceTests.boto("iot.create_certificate_from_csr(certificateSigningRequest=open('\(project.folder)/device.csr').read(), setAsActive=True)")

        let settled = try project.fleetdeck(["up", "--yes"], timeout: 120)
        #expect(settled.status == 0, "\(settled.stdout)\(settled.stderr)")
        #expect(settled.stdout.contains("until any request the interrupted run sent to create it has landed"), "\(settled.stdout)")
        #expect(settled.stdout.contains("had been created twice"), "\(settled.stdout)")
        let left = try Self.certificates(p).split(separator: " ")
        #expect(left.count == 1, "exactly one certificate for the CSR: \(left)")
        let state = try project.fleetdeck(["stack", "export"])
        #expect(left.count == 1 && state.stdout.contains(String(left[0])), "the state records the certificate that is left")
        #expect(try project.fleetdeck(["preview", "--expect-no-changes"]).status == 0)
        #expect(try project.fleetdeck(["destroy", "--yes"]).status == 0)
        #expect(try Self.certificates(p).isEmpty)
    }
}
