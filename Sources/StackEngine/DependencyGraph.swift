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

    public init(program: Program) {
        let edges = ProgramChecker.dependencies(of: program)
        let variables = Set(program.variables.map(\.name))
        let resources = Set(program.resources.map(\.name))
        var dependencies: [String: [String]] = [:]
        for resource in program.resources {
            var found: Set<String> = []
            var queue = edges[resource.name] ?? []
            var seen: Set<String> = []
            while let next = queue.popLast() {
                guard seen.insert(next).inserted else { continue }
                if variables.contains(next) { queue += edges[next] ?? [] } else if resources.contains(next), next != resource.name { found.insert(next) }
            }
            dependencies[resource.name] = found.sorted()
        }
        self.dependencies = dependencies
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
