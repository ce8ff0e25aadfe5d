import StackEngine
import TestSupport
import Testing

/// Compatibility with Pulumi's passphrase secrets, checked against an independent
/// implementation of the same format (Python's `cryptography`: PBKDF2-HMAC-SHA256, AES-GCM).
@Suite struct PassphraseCrypterTests {
    static let script = """
    import base64, os, sys
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    def key(passphrase, salt):
        return PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=1000000).derive(passphrase.encode())
    def enc(k, text):
        nonce = os.urandom(12)
        return "v1:%s:%s" % (base64.b64encode(nonce).decode(), base64.b64encode(AESGCM(k).encrypt(nonce, text.encode(), None)).decode())
    def dec(k, value):
        _, nonce, body = value.split(":")
        return AESGCM(k).decrypt(base64.b64decode(nonce), base64.b64decode(body), None).decode()
    mode = sys.argv[1]
    if mode == "make":
        salt = os.urandom(8); k = key(sys.argv[2], salt)
        print("v1:%s:%s" % (base64.b64encode(salt).decode(), enc(k, "pulumi")))
        print(enc(k, sys.argv[3]))
    else:
        salt = base64.b64decode(sys.argv[3].split(":")[1]); k = key(sys.argv[2], salt)
        print(dec(k, sys.argv[4]))
    """

    @Test func readsWhatPulumiFormatWrites() throws {
        let made = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", Self.script, "make", "correct horse", "s3cr3t value ✓"])
        #expect(made.status == 0, "\(made.stderr)")
        let lines = made.stdout.split(separator: "\n").map(String.init)
        let crypter = try PassphraseCrypter(passphrase: "correct horse", saltState: lines[0], stack: "dev")
        #expect(try crypter.decrypt(lines[1]) == "s3cr3t value ✓")
        #expect(throws: SecretsError.wrongPassphrase(stack: "dev")) {
            try PassphraseCrypter(passphrase: "wrong", saltState: lines[0], stack: "dev")
        }
    }

    @Test func writesWhatPulumiFormatReads() throws {
        let crypter = PassphraseCrypter(newPassphrase: "correct horse")
        #expect(crypter.saltState.hasPrefix("v1:"))
        let ciphertext = try crypter.encrypt("{\"a\":1}")
        let read = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", Self.script, "read", "correct horse", crypter.saltState, ciphertext])
        #expect(read.stdout == "{\"a\":1}\n", "\(read.stderr)")
        #expect(throws: SecretsError.self) { try crypter.decrypt("v1:AAAA:BBBB") }
    }
}
