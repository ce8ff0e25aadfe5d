@testable import StackAWS
import StackEngine
import StackSchemas
import Testing

/// The AWS types are registered once: each handler's declaration is what the engine's type
/// registry and the routing know, and they are exactly the types the schema generator
/// (scripts/generate-resource-schemas, cfn-lint's schemas) and the classic attachments describe.
@Suite struct ResourceHandlersTests {
    @Test func theRegisteredTypesAreTheTypesWithASchema() {
        let registered = ResourceHandlers.all.map { $0.declaration.token }
        #expect(Set(registered).count == registered.count, "a type registered twice: \(registered)")
        let described = ResourceSchema.tokens.filter { !$0.hasPrefix("pulumi:providers:") }
        #expect(Set(registered) == Set(described),
                "registered without a schema: \(Set(registered).subtracting(described).sorted()); with a schema, not registered: \(Set(described).subtracting(registered).sorted())")
    }

    @Test func eachTokenRoutesToItsOwnHandler() {
        for handler in ResourceHandlers.all {
            #expect(ResourceHandlers.byToken[handler.declaration.token].map(ObjectIdentifier.init) == ObjectIdentifier(handler))
        }
        #expect(Set(ResourceHandlers.types.map(\.token)) == Set(ResourceHandlers.byToken.keys))
    }
}
