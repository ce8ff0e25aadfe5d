import Foundation
import StackAWS
import TestSupport
import Testing

@Suite struct ZipArchiveTests {
    @Test func pythonReadsWhatWeWrite() throws {
        let bytes = ZipArchive.make([("index.py", Array("def handler(e, c):\n    return 1\n".utf8)), ("data/allow.txt", Array("S1\nS2\n".utf8))])
        #expect(ZipArchive.make([("data/allow.txt", Array("S1\nS2\n".utf8)), ("index.py", Array("def handler(e, c):\n    return 1\n".utf8))]) == bytes)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fd-\(UUID().uuidString).zip").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let read = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); z.testzip(); print(sorted(z.namelist()), z.read('data/allow.txt').decode().split())", path])
        #expect(read.stdout == "['data/allow.txt', 'index.py'] ['S1', 'S2']\n", "\(read.stderr)")
        #expect(ZipArchive.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
    }
}

@Suite struct NamingRulesTests {
    @Test func cannedACLsAndAuditCheckNames() {
        #expect(ResourceNames.acl("Private") == "private")
        #expect(ResourceNames.acl("BucketOwnerFullControl") == "bucket-owner-full-control")
        #expect(ResourceNames.check("deviceCertificateExpiringCheck") == "DEVICE_CERTIFICATE_EXPIRING_CHECK")
    }
}
