import Testing
import YAMLSyntax

@Suite struct YAMLNodeTests {
    @Test func mappingsSequencesScalarsWithPositions() throws {
        let text = """
        name: iot-ref-arch
        runtime: yaml
        resources:
          group:
            type: aws-native:iot:ThingGroup
            properties:
              thingGroupName: 'GreengrassGroup'
              tags: [a, b]
              count: 3
              ratio: 0.5
              enabled: true
              nothing: ~
        """
        let root = try #require(try YAMLNode.parse(text))
        #expect(root["name"]?.scalarValue == .string("iot-ref-arch"))
        let properties = try #require(root["resources"]?["group"]?["properties"])
        #expect(properties.mark == YAMLMark(line: 7, column: 7))
        #expect(properties["thingGroupName"]?.scalarValue == .string("GreengrassGroup"))
        #expect(properties["thingGroupName"]?.mark == YAMLMark(line: 7, column: 23))
        #expect(properties["count"]?.scalarValue == .integer(3))
        #expect(properties["ratio"]?.scalarValue == .double(0.5))
        #expect(properties["enabled"]?.scalarValue == .bool(true))
        #expect(properties["nothing"]?.scalarValue == .null)
        guard case .sequence(let tags, let mark)? = properties["tags"] else { Issue.record("tags is not a sequence"); return }
        #expect(tags.compactMap(\.scalarText) == ["a", "b"])
        #expect(mark == YAMLMark(line: 8, column: 13))
        #expect(root.entry("resources")?.key.mark == YAMLMark(line: 3, column: 1))
    }

    @Test func quotedNumbersStayStringsAndAliasesResolve() throws {
        let root = try #require(try YAMLNode.parse("a: &x '42'\nb: *x\nc: |\n  line1\n  line2\n"))
        #expect(root["a"]?.scalarValue == .string("42"))
        #expect(root["b"]?.scalarValue == .string("42"))
        #expect(root["c"]?.scalarValue == .string("line1\nline2\n"))
    }

    @Test func syntaxErrorsNameLineAndColumn() {
        #expect(throws: YAMLSyntaxError(mark: YAMLMark(line: 3, column: 2), problem: "did not find expected key while parsing a block mapping")) {
            try YAMLNode.parse("a:\n  b: 1\n c: 2\n")
        }
        #expect(throws: YAMLSyntaxError.self) { try YAMLNode.parse("a: [1, 2\n") }
        #expect((try? YAMLNode.parse("")) == .some(nil))
    }
}

@Suite struct YAMLWriterTests {
    @Test func writesWhatReadsBack() throws {
        let value = YAMLWriter.Value.mapping([
            ("encryptionsalt", .scalar("v1:abc=:v1:x:y")),
            ("config", .mapping([
                ("iot:aws-account-id", .scalar("123456789012")),
                ("iot:enabled", .scalar("true")),
                ("iot:name", .scalar("plain name")),
                ("iot:token", .mapping([("secure", .scalar("v1:n:c"))])),
                ("iot:list", .sequence([.scalar("a"), .literal("2"), .mapping([("k", .scalar("# not a comment"))])])),
                ("iot:empty", .scalar("")),
            ])),
        ])
        let text = YAMLWriter.document(value)
        let root = try #require(try YAMLNode.parse(text))
        let config = try #require(root["config"])
        #expect(root["encryptionsalt"]?.scalarValue == .string("v1:abc=:v1:x:y"))
        #expect(config["iot:aws-account-id"]?.scalarValue == .string("123456789012"))
        #expect(config["iot:enabled"]?.scalarValue == .string("true"))
        #expect(config["iot:token"]?["secure"]?.scalarValue == .string("v1:n:c"))
        #expect(config["iot:empty"]?.scalarValue == .string(""))
        guard case .sequence(let items, _)? = config["iot:list"] else { Issue.record("not a list:\n\(text)"); return }
        #expect(items.count == 3)
        #expect(items[1].scalarValue == .integer(2))
        #expect(items[2]["k"]?.scalarValue == .string("# not a comment"))
    }
}
