import StackLanguage
import StackModel

/// The program's resources and what each depends on (through variables too), computed once, and
/// the one dependency order the engine uses: for planning and launching steps, and reversed for
/// deleting what the state records.
public struct DependencyGraph: Sendable {
    /// Resource names, each after the resources it refers to (program order among equals).
    public let order: [String]
    /// Each resource's resource dependencies, sorted.
    public let dependencies: [String: [String]]
    /// Per resource, per property: the resources that property's value refers to (through
    /// variables too), sorted; Pulumi records them as `propertyDependencies`.
    public let propertyDependencies: [String: [String: [String]]]

    public init(program: Program) {
        let edges = ProgramChecker.dependencies(of: program)
        let variables = Set(program.variables.map(\.name))
        let resources = Set(program.resources.map(\.name))
        /// The resources that `roots` refer to, following variables.
        func referred(_ roots: [String], from resource: String) -> [String] {
            var found: Set<String> = []
            var queue = roots
            var seen: Set<String> = []
            while let next = queue.popLast() {
                guard seen.insert(next).inserted else { continue }
                if variables.contains(next) { queue += edges[next] ?? [] } else if resources.contains(next), next != resource { found.insert(next) }
            }
            return found.sorted()
        }
        var dependencies: [String: [String]] = [:]
        var propertyDependencies: [String: [String: [String]]] = [:]
        for resource in program.resources {
            dependencies[resource.name] = referred(edges[resource.name] ?? [], from: resource.name)
            var properties: [String: [String]] = [:]
            for property in resource.properties {
                properties[property.name] = referred(property.value.accesses.map(\.0.root), from: resource.name)
            }
            propertyDependencies[resource.name] = properties
        }
        self.dependencies = dependencies
        self.propertyDependencies = propertyDependencies
        order = Self.topological(program.resources.map(\.name)) { dependencies[$0] ?? [] }
    }

    /// `nodes` so that each comes after its dependencies, keeping the given order among nodes
    /// that are ready together. Dependencies outside `nodes` are ignored; a cycle (the checker
    /// reports it) leaves its members in the given order at the end.
    public static func topological<ID: Hashable>(_ nodes: [ID], dependencies: (ID) -> [ID]) -> [ID] {
        let members = Set(nodes)
        var done: Set<ID> = []
        var result: [ID] = []
        var remaining = nodes
        while !remaining.isEmpty {
            let before = remaining.count
            remaining.removeAll { node in
                guard dependencies(node).allSatisfy({ done.contains($0) || !members.contains($0) }) else { return false }
                result.append(node)
                done.insert(node)
                return true
            }
            if remaining.count == before { return result + remaining }
        }
        return result
    }
}
