import JSON
import StackModel
import StackSchemas

/// Plans, diffs and step events as text, the way Pulumi prints them: step glyphs, counts per
/// kind, property diffs with `--diff`; secrets masked, unknowns marked.
public enum PlanText {
    /// What the schema says a value is, as Pulumi names an unknown one: `output<string>`.
    public static func unknown(_ schema: PropertySchema?) -> String {
        switch schema {
        case .string?: return "output<string>"
        case .integer?, .number?: return "output<number>"
        case .boolean?: return "output<boolean>"
        case .array?: return "output<array>"
        case .map?, .object?: return "output<object>"
        case .any?, nil: return "output<any>"
        }
    }

    /// The schema of the property at `path` ("a.b[0].c") of a type, as far as it says.
    public static func schema(_ type: String, _ path: String) -> PropertySchema? {
        var current: PropertySchema? = nil
        for (index, part) in path.split(whereSeparator: { $0 == "." || $0 == "[" }).enumerated() {
            if index == 0 { current = ResourceSchema.named(type)?.inputProperties[String(part)]; continue }
            switch current {
            case .object(let fields, _)?: current = fields[String(part)]
            case .map(let inner)?: current = inner
            case .array(let inner)? where part.hasSuffix("]"): current = inner
            default: return nil
            }
        }
        return current
    }

    public static func value(_ value: PropertyValue?, schema: PropertySchema? = nil) -> String {
        guard let value else { return "" }
        switch value {
        case .secret: return "[secret]"
        case .unknown: return unknown(schema)
        case .string(let text): return JSONValue.string(text).serialized()
        case .asset(let asset): return "asset(\(asset.path ?? asset.uri ?? "text"))"
        case .archive(let archive): return "archive(\(archive.path ?? "\(archive.assets?.count ?? 0) files"))"
        case .array(let items): return "[" + items.map { Self.value($0) }.joined(separator: ",") + "]"
        case .object(let fields): return "{" + fields.keys.sorted().map { "\(JSONValue.string($0).serialized()):\(Self.value(fields[$0]))" }.joined(separator: ",") + "}"
        default: return value.plainJSON.serialized()
        }
    }

    static func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count) }

    /// The table of steps, the diff for each when asked, and the summary.
    public static func render(_ plan: Plan, stack: String, showDiff: Bool, showSame: Bool = false) -> String {
        var lines: [String] = []
        let shown = plan.steps.filter { showSame || $0.kind != .same }
        let typeWidth = max(4, shown.map(\.type.count).max() ?? 0) + 2
        let nameWidth = max(4, shown.map(\.urn.name.count).max() ?? 0) + 2
        lines.append("     " + pad("Type", typeWidth) + pad("Name", nameWidth) + "Plan")
        for step in shown {
            var line = " " + pad(step.kind.glyph, 4) + pad(step.type, typeWidth) + pad(step.urn.name, nameWidth) + step.kind.rawValue
            if step.kind == .replace { line += " [diff: " + step.replaceReasons.map { "~\($0)" }.joined(separator: ",") + "]" + (step.deleteFirst ? " (delete first)" : "") }
            else if step.pendingDelete { line += " (old version of a replaced resource: \(step.old?.id ?? ""))" }
            else if step.kind == .update { line += " [diff: " + Array(Set(step.diffs.map { topLevel($0.path) })).sorted().map { "~\($0)" }.joined(separator: ",") + "]" }
            lines.append(line)
            if showDiff { lines += diffLines(step) }
        }
        if !plan.outputChanges.isEmpty {
            lines.append("")
            lines.append("Outputs:")
            lines += plan.outputChanges.flatMap { diffBlock($0, indent: "    ") }
        }
        lines.append("")
        lines.append("Resources:")
        let counts = plan.counts
        for (kind, verb) in [(StepKind.create, "to create"), (.update, "to update"), (.replace, "to replace"), (.delete, "to delete"), (.import, "to import")] {
            if let count = counts[kind] { lines.append("    \(pad(kind.glyph, 2))\(count) \(verb)") }
        }
        let changes = plan.steps.filter { $0.kind != .same }.count
        lines.append("    \(changes) change\(changes == 1 ? "" : "s"). \(counts[.same] ?? 0) unchanged")
        return lines.joined(separator: "\n")
    }

    public static func topLevel(_ path: String) -> String { String(path.split(whereSeparator: { $0 == "." || $0 == "[" }).first ?? "") }

    public static func diffLines(_ step: Step) -> [String] {
        var lines: [String] = []
        switch step.kind {
        case .create, .import:
            for key in step.inputs.keys.sorted() { lines += block("       + \(key): ", step.inputs[key], schema: schema(step.type, key)) }
        case .delete:
            for key in (step.old?.inputs.keys.sorted() ?? []) { lines += block("       - \(key): ", step.old?.inputs[key], schema: schema(step.type, key)) }
        default:
            for diff in step.diffs { lines += diffBlock(diff, indent: "       ", schema: schema(step.type, diff.path)) }
        }
        return lines
    }

    /// One property diff; a nested value over several lines, as Pulumi shows it.
    public static func diffBlock(_ diff: PropertyDiff, indent: String, schema: PropertySchema? = nil) -> [String] {
        let marker = diff.replaces ? " (forces replacement)" : ""
        var lines: [String]
        switch diff.kind {
        case .add: lines = block("\(indent)+ \(diff.path): ", diff.new, schema: schema)
        case .delete: lines = block("\(indent)- \(diff.path): ", diff.old, schema: schema)
        case .update:
            let old = block("", diff.old, schema: schema), new = block("", diff.new, schema: schema)
            if old.count == 1 && new.count == 1 {
                lines = ["\(indent)~ \(diff.path): \(old[0]) => \(new[0])"]
            } else {
                lines = block("\(indent)- \(diff.path): ", diff.old, schema: schema) + block("\(indent)+ \(diff.path): ", diff.new, schema: schema)
            }
        }
        lines[lines.count - 1] += marker
        return lines
    }

    /// `prefix` and the value: a scalar on the same line, an object or list opened there and
    /// closed below it, each member on its own line, indented under the property.
    static func block(_ prefix: String, _ value: PropertyValue?, schema: PropertySchema? = nil) -> [String] {
        guard let value else { return [prefix] }
        let leading = prefix.prefix { $0 == " " }.count
        let marked = prefix.dropFirst(leading).first.map { "+-~".contains($0) } ?? false
        /// The value's lines: the first without indentation (it follows the key), the rest with.
        func render(_ value: PropertyValue, _ schema: PropertySchema?, indent: String) -> [String] {
            switch value {
            case .object(let fields) where !fields.isEmpty:
                return ["{"] + fields.keys.sorted().flatMap { key -> [String] in
                    var inner: PropertySchema?
                    if case .object(let members, _)? = schema { inner = members[key] } else if case .map(let each)? = schema { inner = each }
                    var member = render(fields[key]!, inner, indent: indent + "    ")
                    member[0] = indent + "    " + key + ": " + member[0]
                    return member
                } + [indent + "}"]
            case .array(let items) where !items.isEmpty:
                var inner: PropertySchema?
                if case .array(let each)? = schema { inner = each }
                return ["["] + items.flatMap { item -> [String] in
                    var member = render(item, inner, indent: indent + "    ")
                    member[0] = indent + "    " + member[0]
                    return member
                } + [indent + "]"]
            default:
                return [Self.value(value, schema: schema)]
            }
        }
        var lines = render(value, schema, indent: String(repeating: " ", count: leading + (marked ? 2 : 0)))
        lines[0] = prefix + lines[0]
        return lines
    }

    /// A value as screens may show it: secrets masked, unknowns marked, assets named.
    public static func shown(_ value: PropertyValue, schema: PropertySchema? = nil) -> JSONValue {
        switch value {
        case .secret: return "[secret]"
        case .unknown: return .string(unknown(schema))
        case .asset, .archive: return .string(Self.value(value))
        case .array(let items):
            var inner: PropertySchema?
            if case .array(let each)? = schema { inner = each }
            return .array(items.map { shown($0, schema: inner) })
        case .object(let fields):
            var object = JSONObject()
            for key in fields.keys.sorted() {
                var inner: PropertySchema?
                if case .object(let members, _)? = schema { inner = members[key] } else if case .map(let each)? = schema { inner = each }
                object[key] = shown(fields[key]!, schema: inner)
            }
            return .object(object)
        default: return value.plainJSON
        }
    }

    /// A step's properties whole, for reading before approving: a create's (or delete's) every
    /// input; an update's or replace's changed properties before and after, each whole.
    public static func document(_ step: Step) -> JSONValue {
        func object(_ values: [String: PropertyValue], keys: [String]) -> JSONValue {
            var object = JSONObject()
            for key in keys.sorted() { object[key] = values[key].map { shown($0, schema: schema(step.type, key)) } ?? .null }
            return .object(object)
        }
        switch step.kind {
        case .create, .import: return object(step.inputs, keys: Array(step.inputs.keys))
        case .delete: return object(step.old?.inputs ?? [:], keys: Array((step.old?.inputs ?? [:]).keys))
        default:
            let changed = Array(Set(step.diffs.map { topLevel($0.path) }))
            return ["before": object(step.old?.inputs ?? [:], keys: changed), "after": object(step.inputs, keys: changed)]
        }
    }

    /// The plan as JSON for scripts (`preview --json`).
    public static func json(_ plan: Plan, hash: String) -> JSONValue {
        var counts = JSONObject()
        for (kind, count) in plan.counts.sorted(by: { $0.key.rawValue < $1.key.rawValue }) { counts[kind.rawValue] = .integer(Int64(count)) }
        func diffs(_ diffs: [PropertyDiff]) -> JSONValue {
            .array(diffs.map { diff in
                var entry: JSONObject = ["path": .string(diff.path), "kind": .string(diff.kind.rawValue)]
                if let old = diff.old { entry["old"] = .string(value(old)) }
                if let new = diff.new { entry["new"] = .string(value(new)) }
                if diff.replaces { entry["replaces"] = true }
                return .object(entry)
            })
        }
        let steps: [JSONValue] = plan.steps.map { step in
            var object: JSONObject = ["op": .string(step.kind.rawValue), "urn": .string(step.urn.description), "type": .string(step.type)]
            if !step.diffs.isEmpty { object["diffs"] = diffs(step.diffs) }
            if !step.replaceReasons.isEmpty { object["replaceReasons"] = .array(step.replaceReasons.map(JSONValue.string)) }
            if step.pendingDelete { object["pendingDelete"] = true }
            return .object(object)
        }
        var result: JSONObject = ["planHash": .string(hash), "changeSummary": .object(counts), "steps": .array(steps)]
        if !plan.outputChanges.isEmpty { result["outputChanges"] = diffs(plan.outputChanges) }
        return .object(result)
    }

    public static func event(_ event: EngineEvent) -> String? {
        switch event {
        case .planned: return nil
        case .stepStarted(let step): return " \(pad(step.kind.glyph, 3)) \(step.urn.name) \(progressive(step.kind)) (\(step.type))"
        case .stepFinished(let step, let seconds): return " \(pad(step.kind.glyph, 3)) \(step.urn.name) \(past(step.kind)) (\(format(seconds))s)"
        case .stepFailed(let step, let error, _): return " \(pad("!", 3)) \(step.urn.name) \(step.kind.rawValue) failed: \(error)"
        case .message(let text): return "     \(text)"
        }
    }

    public static func format(_ seconds: Double) -> String { String(Double(Int(seconds * 100)) / 100) }

    /// What an update did, as Pulumi closes one: the resources by what happened to them, and how
    /// long it took (`Resources:\n    + 3 created\n    2 unchanged\n\nDuration: 4s`).
    public static func summary(_ counts: [StepKind: Int], seconds: Double) -> String {
        var lines = ["Resources:"]
        for kind in [StepKind.create, .update, .replace, .delete, .import, .refresh] {
            if let count = counts[kind], count > 0 { lines.append("    \(pad(kind.glyph, 2))\(count) \(past(kind))") }
        }
        if let same = counts[.same], same > 0 { lines.append("    \(same) unchanged") }
        if lines.count == 1 { lines.append("    no changes") }
        return lines.joined(separator: "\n") + "\n\nDuration: \(duration(seconds))\n"
    }

    /// Pulumi's duration: `4s`, `1m3s`, `1h2m0s`.
    public static func duration(_ seconds: Double) -> String {
        let whole = max(0, Int(seconds.rounded()))
        let (hours, minutes, rest) = (whole / 3600, whole / 60 % 60, whole % 60)
        return hours > 0 ? "\(hours)h\(minutes)m\(rest)s" : minutes > 0 ? "\(minutes)m\(rest)s" : "\(rest)s"
    }

    static func progressive(_ kind: StepKind) -> String {
        switch kind {
        case .create: return "creating"
        case .update: return "updating"
        case .replace: return "replacing"
        case .delete: return "deleting"
        case .import: return "importing"
        case .refresh: return "refreshing"
        case .same: return "unchanged"
        }
    }

    static func past(_ kind: StepKind) -> String {
        switch kind {
        case .create: return "created"
        case .update: return "updated"
        case .replace: return "replaced"
        case .delete: return "deleted"
        case .import: return "imported"
        case .refresh: return "refreshed"
        case .same: return "unchanged"
        }
    }
}
