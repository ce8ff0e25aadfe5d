#if canImport(Glibc)
import Glibc
#endif

/// A lock that is a file, as Pulumi's DIY backend keeps them, made safe against races on one host.
///
/// The file appears already flock()ed by its creator: it is written to a private temporary name,
/// locked, and then `link()`ed into place (which fails if the name exists). The creator keeps the
/// descriptor open for as long as it holds the lock, so the kernel releases the flock when it
/// ends in any way, kill -9 included. A lock file whose flock can be taken is therefore not held
/// by a living run on this host; it is taken over only when `isStale` agrees and while the name
/// still refers to that same file (checked with its flock held, so two runs can never both take
/// over, nor remove a lock another run has just made).
public enum LockFile {
    public enum Outcome: Sendable {
        /// The lock is ours; keep `descriptor` open until `release`.
        case acquired(descriptor: Int32)
        /// Another run holds it: what its file says (nil when unreadable or gone).
        case held(content: [UInt8]?)
    }

    /// - isStale: asked with the existing file's content and age in seconds, once its flock was
    ///   free (a crashed run, or a file from something that does not flock).
    public static func acquire(_ path: String, content: [UInt8], isStale: ([UInt8], Int) -> Bool) throws(AtomicFile.WriteError) -> Outcome {
        let folder = AtomicFile.parent(of: path)
        try AtomicFile.makeFolders(folder)
        let temporary = "\(path).new-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AtomicFile.WriteError(path: path, reason: String(cString: strerror(errno))) }
        defer { unlink(temporary) }
        let written = content.withUnsafeBytes { write(fd, $0.baseAddress, content.count) }
        guard written == content.count, fsync(fd) == 0, flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw AtomicFile.WriteError(path: path, reason: reason)
        }
        var lastSeen: [UInt8]?
        for _ in 0..<8 {
            if link(temporary, path) == 0 {
                AtomicFile.syncFolder(folder)
                return .acquired(descriptor: fd)
            }
            guard errno == EEXIST else {
                let reason = String(cString: strerror(errno))
                close(fd)
                throw AtomicFile.WriteError(path: path, reason: reason)
            }
            let existing = open(path, O_RDONLY | O_CLOEXEC)
            if existing < 0 { continue }  // released meanwhile: try again
            lastSeen = AtomicFile.read(path)
            defer { close(existing) }
            guard flock(existing, LOCK_EX | LOCK_NB) == 0 else { break }  // a living run holds it
            var opened = stat(), named = stat()
            guard fstat(existing, &opened) == 0 else { break }
            let age = Int(time(nil)) - Int(opened.st_mtim.tv_sec)
            let bytes = readAll(existing)
            guard isStale(bytes, age) else { lastSeen = bytes; break }
            // Still the file we examined (another taker may have replaced it): only then remove it.
            guard stat(path, &named) == 0, named.st_ino == opened.st_ino, named.st_dev == opened.st_dev else { continue }
            unlink(path)
        }
        close(fd)
        return .held(content: lastSeen)
    }

    /// Releases a lock acquired here: removes the file if it is still ours, then closes.
    public static func release(_ path: String, descriptor: Int32) {
        var ours = stat(), named = stat()
        if fstat(descriptor, &ours) == 0, stat(path, &named) == 0, ours.st_ino == named.st_ino, ours.st_dev == named.st_dev {
            unlink(path)
        }
        close(descriptor)
    }

    static func readAll(_ fd: Int32) -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var offset: off_t = 0
        while true {
            let count = pread(fd, &buffer, buffer.count, offset)
            if count <= 0 { return out }
            out += buffer[0..<count]
            offset += off_t(count)
        }
    }
}
