import AWSCore
import Synchronization

/// An in-memory HTTP double for pure client logic: answers from a script, records requests.
final class ScriptedHTTPClient: HTTPClient {
    private let state: Mutex<(answers: [Result<HTTPResponse, AWSError>], requests: [HTTPRequest])>

    init(_ answers: [Result<HTTPResponse, AWSError>]) {
        state = Mutex((answers, []))
    }

    var requests: [HTTPRequest] { state.withLock { $0.requests } }

    func send(_ request: HTTPRequest, timeoutSeconds: Double) async throws -> HTTPResponse {
        let answer = state.withLock { state -> Result<HTTPResponse, AWSError> in
            state.requests.append(request)
            return state.answers.isEmpty ? .success(HTTPResponse(status: 599)) : state.answers.removeFirst()
        }
        return try answer.get()
    }

    static func json(_ status: Int, _ body: String, headers: [(name: String, value: String)] = []) -> Result<HTTPResponse, AWSError> {
        .success(HTTPResponse(status: status, headers: headers, body: Array(body.utf8)))
    }
}
