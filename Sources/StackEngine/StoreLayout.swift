import CZlib
import YAMLSyntax

/// Where a DIY store (file:// or s3://) keeps a stack, as Pulumi decides it: `meta.yaml` version 1
/// is the project layout (`stacks/<project>/<stack>.json`); version 0, or no `meta.yaml` in a store
/// that already has stacks directly under `stacks/`, is the legacy layout (`stacks/<stack>.json`).
/// A store is used in its own layout and never converted. Checkpoints may be gzipped
/// (`.json.gz`, as `PULUMI_DIY_BACKEND_GZIP` writes them) and are written back the same way.
public enum StoreLayout: Sendable, Equatable {
    case project
    case legacy

    /// `meta` is meta.yaml's bytes (nil: absent); `stackEntries` the names directly in `stacks/`.
    public static func detect(meta: [UInt8]?, stackEntries: [String], location: String) throws -> StoreLayout {
        if let meta {
            let version = (try? YAMLNode.parse(try YAMLNode.text(meta)))??["version"]?.scalarText
            switch version {
            case "1": return .project
            case "0": return .legacy
            default:
                throw StateError.unsupported("\(location)/.pulumi/meta.yaml: store version \(version ?? "missing") (Fleetdeck reads 0, the legacy layout, and 1)")
            }
        }
        return stackEntries.contains { $0.hasSuffix(".json") || $0.hasSuffix(".json.gz") } ? .legacy : .project
    }

    /// Paths relative to the store's `.pulumi/` folder.
    public func stack(_ project: String, _ stack: String) -> String {
        self == .project ? "stacks/\(project)/\(stack).json" : "stacks/\(stack).json"
    }
    public func stacksFolder(_ project: String) -> String { self == .project ? "stacks/\(project)" : "stacks" }
    public func history(_ project: String, _ stack: String) -> String { self == .project ? "history/\(project)/\(stack)" : "history/\(stack)" }
    public func locks(_ project: String, _ stack: String) -> String { self == .project ? "locks/organization/\(project)/\(stack)" : "locks/\(stack)" }

    /// Stack names from the file names in a stacks folder (`dev.json`, `dev.json.gz`).
    public static func stackNames(_ names: [String]) -> [String] {
        Array(Set(names.compactMap { name -> String? in
            if name.hasSuffix(".json") { return String(name.dropLast(5)) }
            if name.hasSuffix(".json.gz") { return String(name.dropLast(8)) }
            return nil
        })).sorted()
    }
}

/// gzip (RFC 1952) through zlib, which the binary already links for libcurl.
public enum Gzip {
    /// The largest checkpoint Fleetdeck inflates.
    public static let limit = 1 << 30

    public static func decompress(_ bytes: [UInt8], name: String) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw StateError.io("\(name): cannot start gzip decompression")
        }
        defer { inflateEnd(&stream) }
        var input = bytes
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let status: Int32 = input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = uInt(inputBuffer.count)
            while true {
                let (result, produced) = chunk.withUnsafeMutableBufferPointer { out -> (Int32, Int) in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    let result = inflate(&stream, Z_NO_FLUSH)
                    return (result, out.count - Int(stream.avail_out))
                }
                output += chunk[0..<produced]
                if output.count > limit { return Z_MEM_ERROR }
                if result == Z_STREAM_END { return Z_STREAM_END }
                if result != Z_OK || (produced == 0 && stream.avail_in == 0) { return result == Z_OK ? Z_DATA_ERROR : result }
            }
        }
        guard status == Z_STREAM_END else {
            throw StateError.io("\(name): not a complete gzip stream (\(status == Z_MEM_ERROR ? "larger than 1 GiB" : "zlib error \(status)"))")
        }
        return output
    }

    public static func compress(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        guard deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                            Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return [] }
        defer { deflateEnd(&stream) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 64)
        let written: Int = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = inputBuffer.baseAddress
                stream.avail_in = uInt(inputBuffer.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                _ = deflate(&stream, Z_FINISH)
                return out.count - Int(stream.avail_out)
            }
        }
        return Array(output[0..<written])
    }
}
