import Crypto
import StackModel

/// Physical names for resources whose program does not set one: the logical name plus a
/// suffix derived from the stack and URN, so a preview, the `up` that follows and a retry
/// after a crash all agree (and a crashed create can be found by name).
public enum AutoNaming {
    /// The inputs with a generated name when the program gives none. `generation` changes the
    /// suffix (a create-before-delete replacement needs a second name).
    public static func apply(to inputs: [String: PropertyValue], urn: URN, naming rule: ResourceType.Naming?, generation: Int = 0) -> [String: PropertyValue] {
        guard let rule, inputs[rule.property] == nil else { return inputs }
        let digest = SHA256.hash(data: Array("\(urn)#\(generation)".utf8))
        let suffix = digest.prefix(4).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined().prefix(7)
        var base = urn.name
        if rule.separator == "_" { base = String(base.map { $0.isLetter || $0.isNumber ? $0 : "_" }) }
        if rule.lowercase { base = base.lowercased() }
        var named = inputs
        named[rule.property] = .string("\(base)\(rule.separator)\(suffix)")
        return named
    }
}
