import JSON
import StackModel

/// Plans, diffs and step events as text, the way Pulumi prints them: step glyphs, counts per
/// kind, property diffs with `--diff`; secrets masked, unknowns marked.
public enum PlanText {
    public static func value(_ value: PropertyValue?) -> String {
        guard let value else { return "" }
        switch value {
        case .secret: return "[secret]"
        case .unknown: return "[unknown]"
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
            lines += plan.outputChanges.map { diffLine($0, indent: "    ") }
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
            for key in step.inputs.keys.sorted() { lines.append("       + \(key): \(value(step.inputs[key]))") }
        case .delete:
            for key in (step.old?.inputs.keys.sorted() ?? []) { lines.append("       - \(key): \(value(step.old?.inputs[key]))") }
        default:
            lines += step.diffs.map { diffLine($0, indent: "       ") }
        }
        return lines
    }

    public static func diffLine(_ diff: PropertyDiff, indent: String) -> String {
        let marker = diff.replaces ? " (forces replacement)" : ""
        switch diff.kind {
        case .add: return "\(indent)+ \(diff.path): \(value(diff.new))\(marker)"
        case .delete: return "\(indent)- \(diff.path): \(value(diff.old))\(marker)"
        case .update: return "\(indent)~ \(diff.path): \(value(diff.old)) => \(value(diff.new))\(marker)"
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
