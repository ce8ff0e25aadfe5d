/// The pages of a paginated operation, fetched lazily: the next page is requested only when
/// the consumer asks for it.
public struct AWSPages: AsyncSequence, Sendable {
    public typealias Element = AWSResponse
    let client: AWSClient
    let service: AWSService
    let operation: AWSOperation
    let input: JSONObject

    public struct AsyncIterator: AsyncIteratorProtocol {
        let pages: AWSPages
        var token: JSONValue?
        var finished = false

        public mutating func next() async throws -> AWSResponse? {
            guard !finished, let pagination = pages.operation.pagination else {
                if !finished, pages.operation.pagination == nil {
                    finished = true
                    return try await pages.client.call(pages.service, pages.operation, pages.input)
                }
                return nil
            }
            var input = pages.input
            if let token { input[pagination.inputToken] = token }
            let page = try await pages.client.call(pages.service, pages.operation, input)
            let next = page[pagination.outputToken]
            if let next, !next.isNull, next.stringValue?.isEmpty == false, next != token {
                token = next
            } else {
                finished = true
            }
            return page
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(pages: self) }
}

extension AWSClient {
    public func pages(_ service: AWSService, _ operation: AWSOperation, _ input: JSONObject = JSONObject()) -> AWSPages {
        AWSPages(client: self, service: service, operation: operation, input: input)
    }

    /// Every item of a paginated operation's result list (the paginator's result key).
    public func all(_ service: AWSService, _ operation: AWSOperation, _ input: JSONObject = JSONObject(), key: String? = nil) async throws -> [JSONValue] {
        guard let resultKey = key ?? operation.pagination?.resultKey else {
            throw AWSError.invalidInput(operation: operation.name, reason: "no result key to collect")
        }
        var items: [JSONValue] = []
        for try await page in pages(service, operation, input) {
            items += page[resultKey]?.arrayValue ?? []
        }
        return items
    }
}
