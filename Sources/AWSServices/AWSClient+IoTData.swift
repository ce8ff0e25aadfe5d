import AWSCore

extension AWSClient {
    /// Makes sure the IoT data plane's endpoint is known: an override (`AWS_ENDPOINT_URL_IOT_DATA_PLANE`,
    /// `AWS_ENDPOINT_URL`, the profile's `endpoint_url`) wins; otherwise the account's
    /// `iot:Data-ATS` endpoint from DescribeEndpoint, asked once and cached.
    public func prepareIoTDataEndpoint() async throws {
        let service = IoTDataPlaneOperations.service
        if try settings.endpoint(for: service) != nil || discoveredEndpoint(for: service) != nil { return }
        let host = try await iotEndpoint("iot:Data-ATS")
        setDiscoveredEndpoint(Endpoint(scheme: "https", host: host), for: service)
    }

    /// Calls an IoT data plane operation, discovering its endpoint first if needed.
    public func callIoTData(_ operation: AWSOperation, _ input: JSONObject, payload: [UInt8]? = nil) async throws -> AWSResponse {
        try await prepareIoTDataEndpoint()
        return try await call(IoTDataPlaneOperations.service, operation, input, payload: payload)
    }
}
