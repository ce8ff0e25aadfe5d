import StackLanguage
import POSIXFiles
import AWSCore
import AWSServices
import JSON
import StackEngine
import StackModel

/// `aws-native:lambda:Function`: its declaration and its cloud calls.
struct FunctionHandler: SupportingHandler {
    static let declaration = ResourceType("aws-native:lambda:Function", naming: .init(property: "functionName"))
    let context: HandlerContext

    func create(name: String, inputs: [String: PropertyValue]) async throws -> (id: String, outputs: [String: PropertyValue]) {
        let function = inputs["functionName"]?.stringValue ?? name
        var input = functionConfiguration(inputs)
        input["FunctionName"] = .string(function)
        input["Code"] = ["ZipFile": .string(Base64.encode(try zip(inputs)))]
        if let architectures = inputs["architectures"] { input["Architectures"] = architectures.plainJSON }
        // IAM is eventually consistent: a role made seconds ago may not be assumable yet.
        let answer = try await IAMConsistency.retry {
            try await client.call(LambdaOperations.service, LambdaOperations.createFunction, input)
        }
        return (function, inputs.merging(["functionName": .string(function), "arn": .string(answer["FunctionArn"]?.stringValue ?? "")]) { _, new in new })
    }

    func read(id: String, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]? {
        var live = LiveValues(inputs: inputs)
        let configuration = try await client.call(LambdaOperations.service, LambdaOperations.getFunctionConfiguration, ["FunctionName": .string(id)])
        live.output("functionName", .string(id))
        live.output("arn", configuration["FunctionArn"].map(PropertyValue.init(json:)))
        for (key, api, fallback) in [("runtime", "Runtime", nil), ("handler", "Handler", nil), ("role", "Role", nil), ("timeout", "Timeout", PropertyValue.number(3)),
                                     ("memorySize", "MemorySize", PropertyValue.number(128)), ("description", "Description", PropertyValue.string(""))] {
            live.set(key, configuration[api].flatMap { $0 == .null ? nil : PropertyValue(json: $0) }, default: fallback)
        }
        let variables = configuration["Environment"]?["Variables"]
        live.set("environment", variables.flatMap { $0.objectValue?.isEmpty == false ? PropertyValue.object(["variables": PropertyValue(json: $0)]) : nil })
        let architectures = (configuration["Architectures"]?.arrayValue ?? []).map(PropertyValue.init(json:))
        live.set("architectures", architectures.isEmpty ? nil : .array(architectures), default: .array([.string("x86_64")]))
        return live.values
    }

    func update(id: String, old: ResourceState, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue] {
        // Code and configuration are separate updates, each only when it changed.
        if inputs["code"] != old.inputs["code"] || inputs["runtime"] != old.inputs["runtime"] {
            _ = try await client.call(LambdaOperations.service, LambdaOperations.updateFunctionCode, ["FunctionName": .string(id),
                                                                                                     "ZipFile": .string(Base64.encode(try zip(inputs)))])
        }
        var configuration = functionConfiguration(inputs)
        configuration["FunctionName"] = .string(id)
        _ = try await IAMConsistency.retry {
            try await client.call(LambdaOperations.service, LambdaOperations.updateFunctionConfiguration, configuration)
        }
        return try await readAfterUpdate(id: id, inputs: inputs) ?? inputs
    }

    func delete(id: String, old: ResourceState) async throws {
        _ = try await client.call(LambdaOperations.service, LambdaOperations.deleteFunction, ["FunctionName": .string(id)])
    }

    func functionConfiguration(_ inputs: [String: PropertyValue]) -> JSONObject {
        var input: JSONObject = [:]
        for (key, api) in [("runtime", "Runtime"), ("handler", "Handler"), ("role", "Role"), ("timeout", "Timeout"),
                           ("memorySize", "MemorySize"), ("description", "Description")] {
            if let value = inputs[key] { input[api] = value.plainJSON }
        }
        if let variables = inputs["environment"]?["variables"] { input["Environment"] = ["Variables": variables.plainJSON] }
        return input
    }

    /// The function's code as a zip: inline `code.zipFile` becomes `index.py` (`index.js` for
    /// Node runtimes), as CloudFormation does; an archive property is zipped as given.
    func zip(_ inputs: [String: PropertyValue]) throws -> [UInt8] {
        let code = inputs["code"]?.revealed
        if case .string(let source)? = code?["zipFile"]?.revealed {
            let runtime = inputs["runtime"]?.stringValue ?? "python3.12"
            return ZipArchive.make([(runtime.hasPrefix("nodejs") ? "index.js" : "index.py", Array(source.utf8))])
        }
        if case .archive(let archive)? = code {
            do {
                if let path = archive.path {
                    let contents = try AssetFiles.archive(AssetFiles.resolve(path, in: context.directory))
                    return contents.zip ?? ZipArchive.make(contents.files.map { ($0.name, $0.bytes) })
                }
                var files: [(String, [UInt8])] = []
                for (name, item) in (archive.assets ?? [:]).sorted(by: { $0.key < $1.key }) {
                    guard case .asset(let asset) = item else {
                        throw AWSError.invalidInput(operation: "CreateFunction", reason: "the archive's '\(name)' is not an asset (nested archives are not supported)")
                    }
                    if let text = asset.text {
                        files.append((name, Array(text.utf8)))
                    } else if let path = asset.path {
                        files.append((name, try AssetFiles.asset(AssetFiles.resolve(path, in: context.directory))))
                    } else {
                        throw AWSError.invalidInput(operation: "CreateFunction", reason: "the archive's '\(name)' is a remote asset, which is not supported")
                    }
                }
                return ZipArchive.make(files)
            } catch let error as AtomicFile.WriteError {
                throw AWSError.invalidInput(operation: "CreateFunction", reason: "\(error)")
            }
        }
        throw AWSError.invalidInput(operation: "CreateFunction", reason: "code needs zipFile (inline source) or an archive (fn::fileArchive, fn::assetArchive)")
    }
}
