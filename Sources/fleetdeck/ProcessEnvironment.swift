#if canImport(Glibc)
import Glibc
#endif

/// The process environment read once at the composition root and passed down as a value.
enum ProcessEnvironment {
    static var current: [String: String] {
        var result: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let pair = String(cString: entry)
            if let equals = pair.firstIndex(of: "=") {
                result[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            }
            cursor += 1
        }
        return result
    }
}

/// A failure that prints as exactly one line on stderr and exits non-zero.
struct ValidationFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// The limits of the command line's numbers: a value outside them is refused before anything
/// runs (a duration of 1e300 seconds would overflow a timer, a negative count means nothing).
enum OptionLimits {
    /// At most a year.
    static let seconds: ClosedRange<Double> = 0.001...31_536_000
    static let count: ClosedRange<Int> = 1...100_000_000
    static let devices: ClosedRange<Int> = 1...100_000
    static let rate: ClosedRange<Double> = 0.001...100_000

    static func check<T: Comparable & CustomStringConvertible>(_ value: T?, _ option: String, within range: ClosedRange<T>, unit: String = "") throws {
        guard let value else { return }
        if let number = value as? Double, !number.isFinite || !range.contains(value) {
            throw ValidationFailure(message: "\(option) must be between \(range.lowerBound) and \(range.upperBound)\(unit), not \(value)")
        }
        guard range.contains(value) else {
            throw ValidationFailure(message: "\(option) must be between \(range.lowerBound) and \(range.upperBound)\(unit), not \(value)")
        }
    }
}

/// Writes all of a text to a file descriptor, unbuffered.
func writeAll(_ text: String, to fd: Int32) {
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
        if written < 0 && errno == EINTR { continue }
        if written <= 0 { return }
        offset += written
    }
}

func writeStandardError(_ text: String) { writeAll(text, to: 2) }
func writeStandardOutput(_ text: String) { writeAll(text, to: 1) }

/// All of standard input; a read error is an error, not the end of the input.
func readStandardInput() throws -> [UInt8] {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = read(0, &chunk, chunk.count)
        if n == 0 { return bytes }
        if n < 0 {
            if errno == EINTR { continue }
            throw ValidationFailure(message: "cannot read standard input: \(String(cString: strerror(errno)))")
        }
        bytes += chunk[0..<n]
    }
}
