import AWSCore
import Testing

@Suite struct JSONValueTests {
    @Test func roundTripsKeepingKeyOrderAndIntegers() throws {
        let text = #"{"b":1,"a":[true,null,2.5,"x\"y\u00e9\n"],"c":{"big":9007199254740993}}"#
        let value = try JSONValue.parse(text)
        #expect(value["c"]?["big"] == .integer(9_007_199_254_740_993))
        #expect(value.serialized() == #"{"b":1,"a":[true,null,2.5,"x\"yé\n"],"c":{"big":9007199254740993}}"#)
        #expect(try JSONValue.parse(value.pretty()) == value)
    }

    @Test func errorsNameLineAndColumn() {
        #expect(throws: JSONParseError(line: 2, column: 9, reason: "expected ':' after key \"led\"")) {
            try JSONValue.parse("{\n  \"led\" \"on\"}")
        }
        #expect(throws: JSONParseError(line: 1, column: 1, reason: "unexpected end of input")) { try JSONValue.parse("") }
        #expect(throws: JSONParseError(line: 1, column: 5, reason: "unexpected text after the JSON value")) { try JSONValue.parse("{}  x") }
    }

    @Test func surrogatePairs() throws {
        #expect(try JSONValue.parse(#""\ud83d\ude00""#) == .string("😀"))
    }
}

@Suite struct XMLElementTests {
    @Test func queryShapesBecomeJSON() throws {
        let xml = """
        <ListRolesResponse><ListRolesResult><Roles><member><RoleName>a</RoleName></member><member><RoleName>b</RoleName></member></Roles>
        <IsTruncated>false</IsTruncated><Attributes><entry><key>k</key><value>v</value></entry></Attributes></ListRolesResult></ListRolesResponse>
        """
        let root = try XMLElement.parse(Array(xml.utf8))
        let result = root.child("ListRolesResult")!.jsonValue
        #expect(result["Roles"]?.arrayValue.compactMap { $0["RoleName"]?.stringValue } == ["a", "b"])
        #expect(result["IsTruncated"]?.boolValue == false)
        #expect(result["Attributes"]?["k"] == "v")
    }

    @Test func flattenedListsAndErrors() throws {
        let xml = "<ListBucketResult><Contents><Key>a</Key></Contents><Contents><Key>b</Key></Contents><Contents><Key>c</Key></Contents></ListBucketResult>"
        #expect(try XMLElement.parse(Array(xml.utf8)).jsonValue["Contents"]?.arrayValue.count == 3)
        #expect(throws: XMLParseError.self) { try XMLElement.parse(Array("<a><b></a>".utf8)) }
    }
}
