#if canImport(Glibc)
import Glibc
#endif

/// Appends records to a journal durably: O_APPEND, one write per record, fsync before
/// returning (and of the folder when the file is new). A crash loses at most a record that was
/// never acknowledged.
enum JournalFile {
    static func append(_ record: [UInt8], to path: String) throws {
        try AtomicFile.makeFolders(AtomicFile.parent(of: path))
        let created = !AtomicFile.exists(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StateError.io("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let line = record + [10]
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, line.count) }
        guard written == line.count, fsync(fd) == 0 else {
            throw StateError.io("cannot append to \(path): \(String(cString: strerror(errno)))")
        }
        if created { AtomicFile.syncFolder(AtomicFile.parent(of: path)) }
    }
}
