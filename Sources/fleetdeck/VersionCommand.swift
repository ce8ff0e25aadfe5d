import ArgumentParser
import CCurl
import CExpat
import CFleetdeckSupport
import CNcursesw

enum FleetdeckVersion {
    static let short = "0.1.0"
}

/// `fleetdeck version`: the version, the commit it was built from and the C libraries linked in.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version, build and linked libraries.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let fields: [(String, String)] = [
            ("version", FleetdeckVersion.short),
            ("commit", String(cString: fd_build_commit())),
            ("build", String(cString: fd_build_kind())),
            ("ncurses", String(cString: fd_ncurses_version())),
            ("libcurl", String(cString: fd_curl_version_string())),
            ("tls", String(cString: fd_curl_ssl_version_string())),
            ("expat", String(cString: fd_expat_version_string())),
        ]
        if global.json {
            let body = fields.map { "\"\($0.0)\":\"\($0.1)\"" }.joined(separator: ",")
            print("{\(body)}")
        } else {
            print("fleetdeck \(fields[0].1) (commit \(fields[1].1), \(fields[2].1) build)")
            for (name, value) in fields.dropFirst(3) {
                print("  \(name)\(String(repeating: " ", count: max(1, 9 - name.count)))\(value)")
            }
        }
    }
}
