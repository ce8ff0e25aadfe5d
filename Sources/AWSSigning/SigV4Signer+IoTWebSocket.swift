extension SigV4Signer {
    /// The presigned `wss://HOST/mqtt?...` URL that AWS IoT's MQTT-over-WebSocket endpoint
    /// accepts: a GET of `/mqtt` presigned over the `host` header with the empty-body hash,
    /// and the session token appended after the signature, not signed (AWS IoT's rule).
    /// The signing name is `iotdevicegateway`, as AWS IoT's developer guide and the AWS IoT
    /// device SDKs presign it (the HTTPS data plane, shadows and publish, signs as `iotdata`).
    public static let iotWebSocketService = "iotdevicegateway"

    public static func iotWebSocketURL(host: String, region: String, credentials: AWSCredentials, time: SigningTime,
                                       expires: Int = 86_400) -> String {
        var options = Options()
        options.omitSessionTokenFromSignature = true
        let signer = SigV4Signer(credentials: credentials, region: region, service: iotWebSocketService, options: options)
        let request = SignableRequest(method: "GET", path: "/mqtt", headers: [("host", host)])
        let signed = signer.presign(request, payloadHash: emptyPayloadHash, expires: expires, time: time).request
        var query = signed.query.split(separator: "&").filter { !$0.hasPrefix("X-Amz-Security-Token=") }.joined(separator: "&")
        if let token = credentials.sessionToken {
            query += "&X-Amz-Security-Token=" + URIEncoding.encode(token)
        }
        return "wss://\(host)/mqtt?\(query)"
    }
}
