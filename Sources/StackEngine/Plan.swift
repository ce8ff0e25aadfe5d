import JSON
import StackModel
import StackSchemas

/// One property that differs between state and program, with the reason it may force a replace.
public struct PropertyDiff: Sendable, Equatable {
    public enum Kind: String, Sendable { case add, delete, update }
    public var path: String
    public var kind: Kind
    public var old: PropertyValue?
    public var new: PropertyValue?
    public var replaces: Bool

    public init(path: String, kind: Kind, old: PropertyValue?, new: PropertyValue?, replaces: Bool) {
        self.path = path
        self.kind = kind
        self.old = old
        self.new = new
        self.replaces = replaces
    }
}

/// What happens to one resource.
public enum StepKind: String, Sendable, CaseIterable {
    case same, create, update, replace, delete, `import`, refresh

    /// Pulumi's glyph for the step.
    public var glyph: String {
        switch self {
        case .same: return " "
        case .create: return "+"
        case .update: return "~"
        case .replace: return "+-"
        case .delete: return "-"
        case .import: return "="
        case .refresh: return "~"
        }
    }
}

/// A resource the program wants, evaluated as far as known now.
public struct DesiredResource: Sendable {
    public var urn: URN
    public var name: String
    public var type: String
    public var inputs: [String: PropertyValue]
    public var dependencies: [URN]
    public var protect: Bool
    public var ignoreChanges: [String]
    public var replaceOnChanges: [String]
    public var deleteBeforeReplace: Bool
    public var retainOnDelete: Bool
    public var importID: String?
    /// The explicit provider resource managing it (`options.provider`); nil: the stack's default.
    public var provider: URN?

    public init(urn: URN, name: String, type: String, inputs: [String: PropertyValue], dependencies: [URN] = [], protect: Bool = false,
                ignoreChanges: [String] = [], replaceOnChanges: [String] = [], deleteBeforeReplace: Bool = false,
                retainOnDelete: Bool = false, importID: String? = nil, provider: URN? = nil) {
        self.provider = provider
        self.urn = urn
        self.name = name
        self.type = type
        self.inputs = inputs
        self.dependencies = dependencies
        self.protect = protect
        self.ignoreChanges = ignoreChanges
        self.replaceOnChanges = replaceOnChanges
        self.deleteBeforeReplace = deleteBeforeReplace
        self.retainOnDelete = retainOnDelete
        self.importID = importID
    }
}

/// One planned step.
public struct Step: Sendable, Equatable {
    public var kind: StepKind
    public var urn: URN
    public var type: String
    public var old: ResourceState?
    public var inputs: [String: PropertyValue]
    public var diffs: [PropertyDiff]
    /// For a replace: the properties that force it.
    public var replaceReasons: [String]
    /// Replace by deleting first (asked for, or the physical name cannot exist twice).
    public var deleteFirst: Bool
    public var dependencies: [URN]
    /// For an import: the cloud id to adopt.
    public var importID: String? = nil
    /// A `same` step whose options (protect, retainOnDelete) change in state only.
    public var optionsChanged = false
    /// A delete of a replaced resource's old version that an interrupted run left behind.
    public var pendingDelete = false
    /// `<provider urn>::<id>` of the explicit provider a new resource is created with.
    public var providerReference: String?

    public init(kind: StepKind, urn: URN, type: String, old: ResourceState?, inputs: [String: PropertyValue], diffs: [PropertyDiff],
                replaceReasons: [String], deleteFirst: Bool, dependencies: [URN], importID: String? = nil, optionsChanged: Bool = false) {
        self.kind = kind
        self.urn = urn
        self.type = type
        self.old = old
        self.inputs = inputs
        self.diffs = diffs
        self.replaceReasons = replaceReasons
        self.deleteFirst = deleteFirst
        self.dependencies = dependencies
        self.importID = importID
        self.optionsChanged = optionsChanged
    }

    public static func == (lhs: Step, rhs: Step) -> Bool {
        lhs.kind == rhs.kind && lhs.urn == rhs.urn && lhs.inputs == rhs.inputs && lhs.deleteFirst == rhs.deleteFirst && lhs.pendingDelete == rhs.pendingDelete
    }
}

/// Compares what the program wants with what state holds.
public enum Differ {
    /// Property diffs between old and new inputs, top-level and nested, in path order.
    public static func diff(old: [String: PropertyValue], new: [String: PropertyValue], ignore: [String] = [],
                            replaceOn: Set<String> = []) -> [PropertyDiff] {
        var diffs: [PropertyDiff] = []
        // `__defaults` is the bridged (classic) provider's record of the inputs it defaulted: state
        // written by Pulumi has it, programs never do.
        for key in Set(old.keys).union(new.keys).sorted() where !ignore.contains(key) && key != "__defaults" {
            collect(path: key, old: old[key], new: new[key], root: key, replaceOn: replaceOn, ignore: ignore, into: &diffs)
        }
        return diffs
    }

    static func collect(path: String, old: PropertyValue?, new: PropertyValue?, root: String, replaceOn: Set<String>, ignore: [String],
                        into diffs: inout [PropertyDiff]) {
        if ignore.contains(path) { return }
        let replaces = replaceOn.contains(root) || replaceOn.contains(path)
        switch (old, new) {
        case (nil, nil): return
        case (nil, let value?): if value != .null { diffs.append(PropertyDiff(path: path, kind: .add, old: nil, new: value, replaces: replaces)) }
        case (let value?, nil): if value != .null { diffs.append(PropertyDiff(path: path, kind: .delete, old: value, new: nil, replaces: replaces)) }
        case (let before?, let after?):
            if before == after { return }
            if case .unknown = after {
                diffs.append(PropertyDiff(path: path, kind: .update, old: before, new: after, replaces: replaces))
                return
            }
            if before.isSecret || after.isSecret {
                // A secret is compared whole and shown masked on both sides (a value that just
                // became secret is as sensitive as its new value).
                if before.revealed != after.revealed {
                    diffs.append(PropertyDiff(path: path, kind: .update, old: before.isSecret ? before : .secret(before), new: after.isSecret ? after : .secret(after),
                                              replaces: replaces))
                }
                return
            }
            switch (before, after) {
            case (.object(let a), .object(let b)):
                for key in Set(a.keys).union(b.keys).sorted() {
                    collect(path: "\(path).\(key)", old: a[key], new: b[key], root: root, replaceOn: replaceOn, ignore: ignore, into: &diffs)
                }
            case (.array(let a), .array(let b)) where a.count == b.count:
                for index in a.indices {
                    collect(path: "\(path)[\(index)]", old: a[index], new: b[index], root: root, replaceOn: replaceOn, ignore: ignore, into: &diffs)
                }
            default:
                if sameJSONDocument(before, after) { return }
                diffs.append(PropertyDiff(path: path, kind: .update, old: before, new: after, replaces: replaces))
            }
        }
    }

    /// A JSON document given as text on one side and as an object or list on the other (a
    /// policy document written as a string by one program and as a map by another) is the same
    /// value when the text parses to it: the cloud stores the document, not its spelling.
    static func sameJSONDocument(_ a: PropertyValue, _ b: PropertyValue) -> Bool {
        func parsed(_ text: String) -> PropertyValue? { (try? JSONValue.parse(text)).map(PropertyValue.init(json:)) }
        switch (a, b) {
        case (.string(let text), .object), (.string(let text), .array): return parsed(text) == b
        case (.object, .string(let text)), (.array, .string(let text)): return parsed(text) == a
        default: return false
        }
    }

    /// The top-level property names whose change forces a replacement for a type.
    public static func replaceProperties(for type: String, extra: [String]) -> Set<String> {
        Set((ResourceSchema.named(type)?.createOnly ?? []).map { String($0.split(separator: ".").first ?? "") } + extra)
    }
}

/// Turns desired resources and the current state into steps (Pulumi's step generator).
public struct Planner {
    public var desired: [DesiredResource]
    public var state: Deployment?
    /// Only these resources (and what they depend on) when not empty (`--target`).
    public var targets: Set<URN>

    /// State by URN (a deploy of thousands of resources must not search the list for each).
    let oldByURN: [URN: ResourceState]

    public init(desired: [DesiredResource], state: Deployment?, targets: Set<URN> = []) {
        self.desired = desired
        self.state = state
        self.targets = targets
        oldByURN = Dictionary((state?.resources ?? []).map { ($0.urn, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func step(for resource: DesiredResource) -> Step {
        let old = oldByURN[resource.urn]
        guard let old, !old.id.isEmpty else {
            if let importID = resource.importID {
                return Step(kind: .import, urn: resource.urn, type: resource.type, old: nil, inputs: resource.inputs, diffs: [],
                            replaceReasons: [], deleteFirst: false, dependencies: resource.dependencies, importID: importID)
            }
            let diffs = Differ.diff(old: [:], new: resource.inputs)
            return Step(kind: .create, urn: resource.urn, type: resource.type, old: nil, inputs: resource.inputs, diffs: diffs,
                        replaceReasons: [], deleteFirst: false, dependencies: resource.dependencies)
        }
        var inputs = resource.inputs
        for path in resource.ignoreChanges where !path.contains(".") {
            inputs[path] = old.inputs[path]  // keep what state has
        }
        let replaceOn = Differ.replaceProperties(for: resource.type, extra: resource.replaceOnChanges)
        let diffs = Differ.diff(old: old.inputs, new: inputs, ignore: resource.ignoreChanges, replaceOn: replaceOn)
        if old.type != resource.type {
            return Step(kind: .replace, urn: resource.urn, type: resource.type, old: old, inputs: inputs, diffs: diffs,
                        replaceReasons: ["type"], deleteFirst: true, dependencies: resource.dependencies)
        }
        guard !diffs.isEmpty else {
            return Step(kind: .same, urn: resource.urn, type: resource.type, old: old, inputs: inputs, diffs: [], replaceReasons: [],
                        deleteFirst: false, dependencies: resource.dependencies,
                        optionsChanged: old.protect != resource.protect || old.retainOnDelete != resource.retainOnDelete)
        }
        let reasons = Array(Set(diffs.filter(\.replaces).map { String($0.path.split(whereSeparator: { $0 == "." || $0 == "[" }).first ?? "") })).sorted()
        if reasons.isEmpty {
            return Step(kind: .update, urn: resource.urn, type: resource.type, old: old, inputs: inputs, diffs: diffs, replaceReasons: [],
                        deleteFirst: false, dependencies: resource.dependencies)
        }
        // A fixed physical name (an identifier the program sets and keeps) cannot exist twice.
        let identifiers = ResourceSchema.named(resource.type)?.primaryIdentifier ?? []
        let nameKept = identifiers.contains { key in inputs[key] != nil && inputs[key] == old.inputs[key] }
        return Step(kind: .replace, urn: resource.urn, type: resource.type, old: old, inputs: inputs, diffs: diffs, replaceReasons: reasons,
                    deleteFirst: resource.deleteBeforeReplace || nameKept, dependencies: resource.dependencies)
    }

    /// Every step: the program's resources in program order, then deletes of what state has
    /// and the program no longer declares, dependents before their dependencies.
    public func steps() -> [Step] {
        let wanted = Set(desired.map(\.urn))
        var result = desired.filter { targets.isEmpty || targets.contains($0.urn) }.map(step(for:))
        let removed = (state?.deletable ?? []).filter { !wanted.contains($0.urn) && (targets.isEmpty || targets.contains($0.urn)) }
        for old in Self.reverseDependencyOrder(removed) {
            result.append(Step(kind: .delete, urn: old.urn, type: old.type, old: old, inputs: [:], diffs: [], replaceReasons: [],
                               deleteFirst: false, dependencies: old.dependencies))
        }
        return result + (state?.pendingDeletes ?? []).map(Self.pendingDeleteStep)
    }

    /// Every delete of a destroy: old versions of replaced resources, then the stack's resources,
    /// dependents before what they depend on.
    public static func destroySteps(_ deployment: Deployment) -> [Step] {
        deployment.pendingDeletes.map(pendingDeleteStep) + reverseDependencyOrder(deployment.deletable).map {
            Step(kind: .delete, urn: $0.urn, type: $0.type, old: $0, inputs: [:], diffs: [], replaceReasons: [], deleteFirst: false, dependencies: $0.dependencies)
        }
    }

    /// The delete of a replaced resource's old version (always planned, whatever the targets).
    public static func pendingDeleteStep(_ old: ResourceState) -> Step {
        var step = Step(kind: .delete, urn: old.urn, type: old.type, old: old, inputs: [:], diffs: [], replaceReasons: [], deleteFirst: false,
                        dependencies: old.dependencies)
        step.pendingDelete = true
        return step
    }

    /// Resources ordered so that each comes before the resources it depends on (dependents first,
    /// as deletes go): the dependency order reversed.
    public static func reverseDependencyOrder(_ resources: [ResourceState]) -> [ResourceState] {
        let byURN = Dictionary(resources.map { ($0.urn, $0) }, uniquingKeysWith: { a, _ in a })
        return DependencyGraph.topological(resources.map(\.urn)) { byURN[$0]?.dependencies ?? [] }.reversed().compactMap { byURN[$0] }
    }
}

/// The plan the user approves: its steps, counts, and a hash of everything it was made from.
public struct Plan: Sendable {
    public var steps: [Step]
    public var programHash: String
    public var configHash: String
    public var stateHash: String
    /// Stack outputs that change (an update records them even when no resource changes).
    public var outputChanges: [PropertyDiff]

    public init(steps: [Step], programHash: String, configHash: String, stateHash: String, outputChanges: [PropertyDiff] = []) {
        self.steps = steps
        self.programHash = programHash
        self.configHash = configHash
        self.stateHash = stateHash
        self.outputChanges = outputChanges
    }

    public var counts: [StepKind: Int] {
        var counts: [StepKind: Int] = [:]
        for step in steps { counts[step.kind, default: 0] += 1 }
        return counts
    }

    /// How many resources the stack's state held when the plan was made (its steps may be fewer,
    /// under --target).
    public var stateResourceCount: Int?

    /// A plan that deletes every resource of a non-empty stack, or more than half of a stack of
    /// ten or more: what a misread program looks like. Said in words, or nil.
    public var massDelete: String? {
        let existing = stateResourceCount ?? steps.filter { $0.old != nil && !$0.pendingDelete }.count
        let deletes = steps.filter { $0.kind == .delete && !$0.pendingDelete && !ExplicitProvider.isProvider($0.type) }.count
        guard existing > 0, deletes == existing || (existing >= 10 && deletes * 2 > existing) else { return nil }
        return deletes == existing ? "this plan deletes every resource of the stack (\(deletes))" : "this plan deletes \(deletes) of the stack's \(existing) resources"
    }

    public var hasChanges: Bool { steps.contains { $0.kind != .same || $0.optionsChanged } || !outputChanges.isEmpty }
}
