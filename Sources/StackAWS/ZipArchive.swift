/// A minimal ZIP writer (stored entries, CRC-32): enough to package Lambda code without a
/// compression library. Entries are sorted by name and carry a fixed date, so the same files
/// always give the same bytes (and the same hash).
public enum ZipArchive {
    static let crcTable: [UInt32] = (0..<256).map { index -> UInt32 in
        var c = UInt32(index)
        for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    public static func make(_ files: [(name: String, bytes: [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        func le16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF)] }
        func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }
        let time = 0, date = (1 << 5) | 1  // 1980-01-01 00:00
        for file in files.sorted(by: { $0.name < $1.name }) {
            let name = Array(file.name.utf8)
            let crc = crc32(file.bytes)
            let offset = UInt32(out.count)
            out += le32(0x0403_4B50) + le16(20) + le16(0) + le16(0) + le16(time) + le16(date) + le32(crc)
                + le32(UInt32(file.bytes.count)) + le32(UInt32(file.bytes.count)) + le16(name.count) + le16(0) + name + file.bytes
            central += le32(0x0201_4B50) + le16(0x031E) + le16(20) + le16(0) + le16(0) + le16(time) + le16(date) + le32(crc)
                + le32(UInt32(file.bytes.count)) + le32(UInt32(file.bytes.count)) + le16(name.count) + le16(0) + le16(0) + le16(0)
                + le16(0) + le32(0o100644 << 16) + le32(offset) + name
        }
        let centralOffset = UInt32(out.count)
        out += central
        out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(files.count) + le16(files.count) + le32(UInt32(central.count)) + le32(centralOffset) + le16(0)
        return out
    }
}
