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
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StateError.io("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try dropTornTail(fd, path: path)
        let line = record + [10]
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, line.count) }
        guard written == line.count, fsync(fd) == 0 else {
            throw StateError.io("cannot append to \(path): \(String(cString: strerror(errno)))")
        }
        if created { AtomicFile.syncFolder(AtomicFile.parent(of: path)) }
    }

    /// A last line without its newline is a write a crash cut short (never acknowledged): it is
    /// cut off before appending, so the next record starts a line of its own.
    static func dropTornTail(_ fd: Int32, path: String) throws {
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 0 else { return }
        var last: UInt8 = 0
        guard pread(fd, &last, 1, info.st_size - 1) == 1 else {
            throw StateError.io("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        guard last != 10 else { return }
        var end = info.st_size - 1
        var byte: UInt8 = 0
        while end > 0, pread(fd, &byte, 1, end - 1) == 1, byte != 10 { end -= 1 }
        guard ftruncate(fd, end) == 0, fsync(fd) == 0 else {
            throw StateError.io("cannot drop the torn last line of \(path): \(String(cString: strerror(errno)))")
        }
    }
}
