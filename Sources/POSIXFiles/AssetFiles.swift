#if canImport(Glibc)
import Glibc
#endif

/// The files a program names with `fn::fileAsset` and `fn::fileArchive`: regular files only (a
/// device never ends, a FIFO blocks), a zip file or a folder for an archive, and at most `limit`
/// bytes in all. Every refusal names the file at fault; nothing is skipped.
public enum AssetFiles {
    /// Lambda's limit for a directly uploaded zip is 50 MB; anything larger is surely a mistake.
    public static let limit = 64 * 1_048_576

    /// A relative path is relative to the program's folder, as Pulumi resolves it.
    public static func resolve(_ path: String, in directory: String) -> String {
        path.hasPrefix("/") ? path : directory + "/" + path
    }

    /// The bytes of a file asset.
    public static func asset(_ path: String) throws(AtomicFile.WriteError) -> [UInt8] {
        try AtomicFile.readRegular(path, limit: limit)
    }

    /// An archive's contents: a `.zip` file as it is (`zip` set), or a folder's regular files with
    /// their paths inside it, sorted (subfolders included).
    public static func archive(_ path: String) throws(AtomicFile.WriteError) -> (zip: [UInt8]?, files: [(name: String, bytes: [UInt8])]) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .init(path: path, reason: String(cString: strerror(errno)), reading: true) }
        if info.st_mode & S_IFMT == S_IFREG {
            guard path.hasSuffix(".zip") else {
                throw .init(path: path, reason: "an archive file must be a .zip (or name a folder)", reading: true)
            }
            return (try AtomicFile.readRegular(path, limit: limit), [])
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw .init(path: path, reason: "not a folder or a .zip file (a device or FIFO)", reading: true) }
        var files: [(name: String, bytes: [UInt8])] = []
        var total = 0
        func walk(_ folder: String, prefix: String, depth: Int) throws(AtomicFile.WriteError) {
            guard depth < 64 else { throw .init(path: folder, reason: "folders nested more than 64 deep", reading: true) }
            for name in AtomicFile.list(folder) {
                let full = folder + "/" + name
                var entry = stat()
                guard stat(full, &entry) == 0 else { throw .init(path: full, reason: String(cString: strerror(errno)), reading: true) }
                if entry.st_mode & S_IFMT == S_IFDIR {
                    try walk(full, prefix: prefix + name + "/", depth: depth + 1)
                    continue
                }
                let bytes = try AtomicFile.readRegular(full, limit: limit)
                total += bytes.count
                guard total <= limit else { throw .init(path: path, reason: "the folder holds more than the \(limit / 1_048_576) MiB allowed", reading: true) }
                files.append((prefix + name, bytes))
            }
        }
        try walk(path, prefix: "", depth: 0)
        return (nil, files)
    }
}
