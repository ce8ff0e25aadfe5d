/// The wire protocol of an AWS service.
public enum AWSProtocol: Sendable, Equatable {
    case restJSON, query, restXML, json
}

/// An AWS service as its model describes it: how to name, reach and sign it.
public struct AWSService: Sendable, Equatable {
    public var id: String
    public var endpointPrefix: String
    public var signingName: String
    public var `protocol`: AWSProtocol
    public var apiVersion: String
    /// The suffix of `AWS_ENDPOINT_URL_<NAME>` that overrides this service's endpoint.
    public var environmentName: String
    public var globalEndpoint: String?
    /// JSON 1.x services: the X-Amz-Target prefix ("Logs_20140328") and the JSON version ("1.1").
    public var targetPrefix: String?
    public var jsonVersion: String?

    public init(id: String, endpointPrefix: String, signingName: String, protocol: AWSProtocol, apiVersion: String,
                environmentName: String, globalEndpoint: String?, targetPrefix: String? = nil, jsonVersion: String? = nil) {
        self.targetPrefix = targetPrefix
        self.jsonVersion = jsonVersion
        self.id = id
        self.endpointPrefix = endpointPrefix
        self.signingName = signingName
        self.protocol = `protocol`
        self.apiVersion = apiVersion
        self.environmentName = environmentName
        self.globalEndpoint = globalEndpoint
    }
}

/// Where one input or output member travels.
public enum AWSMemberLocation: Sendable, Equatable {
    case uri, query, header, headerPrefix, body, statusCode
}

/// The model type of a member (enough to serialise it).
public enum AWSMemberType: Sendable, Equatable {
    case structure, list, map, string, blob, boolean, timestamp, integer, double
}

public struct AWSMember: Sendable, Equatable {
    public var name: String
    public var location: AWSMemberLocation
    public var locationName: String
    public var type: AWSMemberType

    public init(_ name: String, _ location: AWSMemberLocation, _ locationName: String, type: AWSMemberType) {
        self.name = name
        self.location = location
        self.locationName = locationName
        self.type = type
    }
}

/// How an operation pages: the token member in, the token member out, the page size and
/// the member holding the items.
public struct AWSPagination: Sendable, Equatable {
    public var inputToken: String
    public var outputToken: String
    public var limitKey: String?
    public var resultKey: String?

    public init(inputToken: String, outputToken: String, limitKey: String?, resultKey: String?) {
        self.inputToken = inputToken
        self.outputToken = outputToken
        self.limitKey = limitKey
        self.resultKey = resultKey
    }
}

/// One operation of a service (generated from botocore's model by scripts/generate-aws-operations).
public struct AWSOperation: Sendable, Equatable {
    public var name: String
    public var method: String
    public var uri: String
    public var input: [AWSMember]
    public var required: [String]
    public var payload: String?
    public var rawPayload: Bool
    public var output: [AWSMember]
    public var outputPayload: String?
    public var rawOutputPayload: Bool
    public var resultWrapper: String?
    public var pagination: AWSPagination?

    public init(name: String, method: String, uri: String, input: [AWSMember], required: [String], payload: String?,
                rawPayload: Bool, output: [AWSMember], outputPayload: String?, rawOutputPayload: Bool,
                resultWrapper: String?, pagination: AWSPagination?) {
        self.name = name
        self.method = method
        self.uri = uri
        self.input = input
        self.required = required
        self.payload = payload
        self.rawPayload = rawPayload
        self.output = output
        self.outputPayload = outputPayload
        self.rawOutputPayload = rawOutputPayload
        self.resultWrapper = resultWrapper
        self.pagination = pagination
    }
}
