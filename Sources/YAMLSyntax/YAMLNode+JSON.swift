import JSON

extension YAMLNode {
    /// The document as JSON (YAML 1.2's core schema: plain scalars typed, quoted ones strings), for
    /// files that may be written either way. A key that is not a string, a key written twice and
    /// a value JSON has no form for (.inf, .nan) are errors at their line and column.
    public func json() throws(YAMLSyntaxError) -> JSONValue {
        switch self {
        case .scalar:
            switch scalarValue {
            case .null, nil: return .null
            case .bool(let value): return .bool(value)
            case .integer(let value): return .integer(value)
            case .double(let value):
                guard value.isFinite else { throw YAMLSyntaxError(mark: mark, problem: "\(scalarText ?? "") has no JSON form") }
                return .double(value)
            case .string(let text): return .string(text)
            }
        case .sequence(let items, _):
            var values: [JSONValue] = []
            for item in items { values.append(try item.json()) }
            return .array(values)
        case .mapping(let entries, _):
            var object = JSONObject()
            for entry in entries {
                guard case .scalar(let key, _, _, _) = entry.key else { throw YAMLSyntaxError(mark: entry.key.mark, problem: "a key must be a string") }
                guard object[key] == nil else { throw YAMLSyntaxError(mark: entry.key.mark, problem: "'\(key)' is written twice") }
                object[key] = try entry.value.json()
            }
            return .object(object)
        }
    }
}
