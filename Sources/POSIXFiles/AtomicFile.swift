#if canImport(Glibc)
import Glibc
#endif

/// POSIX file helpers for the whole project (no Foundation). Durable file writes: a temporary file in the same folder, fsync, rename over the target,
/// fsync the folder. A crash leaves either the old file or the new one, never a partial one.
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var reason: String
        /// A failed read (see `readRegular`), not a write.
        public var reading = false
        public init(path: String, reason: String, reading: Bool = false) {
            self.path = path
            self.reason = reason
            self.reading = reading
        }
        public var description: String { "cannot \(reading ? "read" : "write") \(path): \(reason)" }
    }

    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws(WriteError) {
        let folder = parent(of: path)
        try makeFolders(folder)
        let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(fd)
                unlink(temporary)
                throw WriteError(path: path, reason: reason)
            }
            offset += written
        }
        fchmod(fd, mode)
        guard fsync(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            unlink(temporary)
            throw WriteError(path: path, reason: reason)
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw WriteError(path: path, reason: reason)
        }
        syncFolder(folder)
    }

    /// Makes a folder's entries durable (a new or renamed file survives a power loss).
    public static func syncFolder(_ folder: String) {
        let dir = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 {
            fsync(dir)
            close(dir)
        }
    }

    public static func write(_ text: String, to path: String, mode: mode_t = 0o600) throws(WriteError) {
        try write(Array(text.utf8), to: path, mode: mode)
    }

    /// Creates a file only if it does not exist (O_EXCL), durably; false when it exists.
    public static func create(_ bytes: [UInt8], at path: String, mode: mode_t = 0o600) throws(WriteError) -> Bool {
        try makeFolders(parent(of: path))
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        if fd < 0 {
            if errno == EEXIST { return false }
            throw WriteError(path: path, reason: String(cString: strerror(errno)))
        }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, bytes.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced else {
            let reason = String(cString: strerror(errno))
            unlink(path)
            throw WriteError(path: path, reason: reason)
        }
        syncFolder(parent(of: path))
        return true
    }

    public static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    public static func makeFolders(_ path: String) throws(WriteError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw WriteError(path: current, reason: String(cString: strerror(errno)))
            }
        }
    }

    /// The whole file, or nil when it does not exist or cannot be read.
    public static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = Glibc.read(fd, &buffer, buffer.count)
            if count < 0 { if errno == EINTR { continue }; return nil }
            if count == 0 { return out }
            out += buffer[0..<count]
        }
    }

    /// A file a program asked for by name: only a regular file (a device such as /dev/zero never
    /// ends, a FIFO blocks), and at most `limit` bytes. The error says which of these it is.
    public static func readRegular(_ path: String, limit: Int) throws(WriteError) -> [UInt8] {
        var info = stat()
        guard stat(path, &info) == 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno)), reading: true) }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw WriteError(path: path, reason: "not a regular file (a folder, device or FIFO)", reading: true)
        }
        guard Int(info.st_size) <= limit else {
            throw WriteError(path: path, reason: "\(info.st_size) bytes is more than the \(limit / 1_048_576) MiB allowed", reading: true)
        }
        guard let bytes = read(path) else { throw WriteError(path: path, reason: String(cString: strerror(errno)), reading: true) }
        return bytes
    }

    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    public static func remove(_ path: String) { unlink(path) }

    /// File names in a folder (not recursive), sorted; empty when the folder is missing.
    public static func list(_ folder: String) -> [String] {
        guard let dir = opendir(folder) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) } }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Removes a folder and everything in it (symbolic links are removed, not followed).
    public static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR {
            for name in list(path) { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}
