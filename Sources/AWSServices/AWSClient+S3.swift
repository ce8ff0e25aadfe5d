import AWSCore

extension AWSClient {
    /// Whether an S3 object exists, asked with HEAD (the object is not downloaded to find out).
    public func s3ObjectExists(bucket: String, key: String) async throws -> Bool {
        do {
            _ = try await call(S3Operations.service, S3Operations.headObject, ["Bucket": .string(bucket), "Key": .string(key)])
            return true
        } catch let error as AWSError where error.code == "NoSuchKey" || error.code == "NotFound" || error.code == "404" {
            return false
        }
    }
}
