import JSON
import COpenSSL
import Crypto
import StackLanguage
import StackModel

/// Why secrets could not be read or written.
public enum SecretsError: Error, Equatable, CustomStringConvertible, Sendable {
    case noPassphrase(stack: String)
    case wrongPassphrase(stack: String)
    case malformed(String)

    public var description: String {
        switch self {
        case .noPassphrase(let stack):
            return "stack '\(stack)' needs its passphrase to read or write secrets: set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE"
        case .wrongPassphrase(let stack):
            return "the passphrase does not decrypt stack '\(stack)' (incorrect PULUMI_CONFIG_PASSPHRASE?)"
        case .malformed(let what):
            return "malformed secret: \(what)"
        }
    }
}

/// Pulumi's passphrase secrets provider: a 256-bit AES-GCM key from PBKDF2-HMAC-SHA256
/// (1,000,000 rounds) over the passphrase and an 8-byte salt. The salt state
/// `v1:<salt>:<encrypted "pulumi">` is kept in the stack config (`encryptionsalt`) and in
/// the checkpoint; ciphertexts read `v1:<nonce>:<ciphertext+tag>`, all base64.
public struct PassphraseCrypter: Sendable {
    public static let rounds = 1_000_000
    public let saltState: String
    private let key: SymmetricKey

    /// Opens an existing salt state, checking the passphrase against its verifier.
    public init(passphrase: String, saltState: String, stack: String, rounds: Int = PassphraseCrypter.rounds) throws(SecretsError) {
        let parts = saltState.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "v1", let salt = Base64.decode(String(parts[1])) else {
            throw .malformed("encryptionsalt '\(saltState)' is not v1:<salt>:<verifier>")
        }
        key = Self.deriveKey(passphrase, salt: salt, rounds: rounds)
        self.saltState = saltState
        guard (try? decrypt(String(parts[2]))) == "pulumi" else { throw .wrongPassphrase(stack: stack) }
    }

    /// Makes a new salt state for a passphrase.
    public init(newPassphrase passphrase: String, rounds: Int = PassphraseCrypter.rounds) {
        let salt = (0..<8).map { _ in UInt8.random(in: 0...255) }
        let key = Self.deriveKey(passphrase, salt: salt, rounds: rounds)
        let verifier = (try? PassphraseCrypter(key: key, saltState: "").encrypt("pulumi")) ?? ""
        self.init(key: key, saltState: "v1:\(Base64.encode(salt)):\(verifier)")
    }

    private init(key: SymmetricKey, saltState: String) {
        self.key = key
        self.saltState = saltState
    }

    static func deriveKey(_ passphrase: String, salt: [UInt8], rounds: Int) -> SymmetricKey {
        var out = [UInt8](repeating: 0, count: 32)
        let password = Array(passphrase.utf8).map { CChar(bitPattern: $0) }
        _ = fd_pbkdf2_sha256(password, Int32(password.count), salt, Int32(salt.count), Int32(rounds), &out, 32)
        return SymmetricKey(data: out)
    }

    public func encrypt(_ plaintext: String) throws(SecretsError) -> String {
        do {
            let sealed = try AES.GCM.seal(Array(plaintext.utf8), using: key)
            return "v1:\(Base64.encode(Array(sealed.nonce))):\(Base64.encode(Array(sealed.ciphertext) + Array(sealed.tag)))"
        } catch {
            throw .malformed("encryption failed: \(error)")
        }
    }

    public func decrypt(_ ciphertext: String) throws(SecretsError) -> String {
        let parts = ciphertext.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "v1", let nonce = Base64.decode(String(parts[1])), let body = Base64.decode(String(parts[2])),
              body.count >= 16 else {
            throw .malformed("'\(ciphertext.prefix(24))...' is not v1:<nonce>:<ciphertext>")
        }
        do {
            let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: nonce), ciphertext: body.dropLast(16), tag: body.suffix(16))
            return String(decoding: try AES.GCM.open(box, using: key), as: UTF8.self)
        } catch {
            throw .malformed("cannot decrypt (wrong passphrase or damaged value)")
        }
    }
}

/// Where the passphrase comes from: `PULUMI_CONFIG_PASSPHRASE`, or the file named by
/// `PULUMI_CONFIG_PASSPHRASE_FILE`.
public enum PassphraseSource {
    public static func passphrase(environment: [String: String], readFile: (String) -> String?) -> String? {
        if let value = environment["PULUMI_CONFIG_PASSPHRASE"] { return value }
        if let path = environment["PULUMI_CONFIG_PASSPHRASE_FILE"], let text = readFile(path) {
            return text.hasSuffix("\n") ? String(text.dropLast()) : text
        }
        return nil
    }
}
